import { AlreadyConfirmedError, CertificationNotFoundError, FlowAlreadyClaimedError, FlowExpiredError, FlowMismatchError, NotCertifiedError } from '../certification.errors';
import { FLOW_COOKIE_PREFIX } from '../binding/flow-credentials';
import { fakeProviderError, inMemoryCertification, type FakePerson } from '../testing/in-memory';
import { WindowFlow } from './window.flow';

const PERSON: FakePerson = { name: '김영희', phone: '01022223333', birthday: '1995-05-05', gender: 'female', ci: 'ci-kim', di: 'di-kim' };

function setup(options: Parameters<typeof inMemoryCertification>[0] = {}) {
  const t = inMemoryCertification({ redirect: { successUrl: 'https://app.example/ok', failureUrl: '/failed' }, ...options });
  const flow = new WindowFlow(t.options, t.certifications, t.provider, t.recorder, t.reporter, t.binding);
  /** A flow started by this browser: its merchant_uid and the credentials its cookie gives. */
  const browser = async () => {
    const started = await flow.startWindow();
    return { merchantUid: started.merchantUid, credentials: { cookieHeader: `other=1; ${FLOW_COOKIE_PREFIX}${started.merchantUid}=${started.secret}` } };
  };
  return { ...t, flow, browser };
}

describe('WindowFlow', () => {
  it('records a popup certification and issues its token once', async () => {
    const t = setup();
    const b = await t.browser();
    const impUid = t.provider.certify(PERSON, b.merchantUid);
    const view = await t.flow.verifyCertification(impUid, b.credentials);
    expect(view).toMatchObject({ imp_uid: impUid, name: '김*희', gender: 'female', birthday: '1995-05-05' });
    const row = t.certifications.byImpUid(impUid)!;
    expect(row).toMatchObject({ flow: 'popup', status: 'verified' });
    expect(row.ciBidx).toBe(t.blindIndex.compute('ci', 'ci-kim'));
    await expect(t.flow.verifyCertification(impUid, b.credentials)).rejects.toBeInstanceOf(AlreadyConfirmedError);
    expect(t.tokens.tokens).toHaveLength(1);
    expect(t.events.map((e) => e.type)).toEqual(['token_issued', 'popup_verified']);
  });

  it('answers 404 for an id the provider does not know and 409 for one not completed', async () => {
    const t = setup();
    const b = await t.browser();
    await expect(t.flow.verifyCertification('imp_nope', b.credentials)).rejects.toBeInstanceOf(CertificationNotFoundError);
    const id = t.provider.open(PERSON, b.merchantUid);
    await expect(t.flow.verifyCertification(id, b.credentials)).rejects.toBeInstanceOf(NotCertifiedError);
    expect(t.certifications.rows.size).toBe(0);
  });

  it('redirect: records without a token, the later POST issues it', async () => {
    const t = setup();
    const b = await t.browser();
    const impUid = t.provider.certify(PERSON, b.merchantUid);
    expect(await t.flow.redirectTarget({ impUid, success: 'true' }, b.credentials)).toBe(`https://app.example/ok?imp_uid=${impUid}`);
    expect(t.tokens.tokens).toHaveLength(0);
    expect(t.certifications.byImpUid(impUid)!.status).toBe('verified');
    await t.flow.recordRedirect(impUid, b.credentials); // idempotent
    const view = await t.flow.verifyCertification(impUid, b.credentials);
    expect(view.verification_token).toBeDefined();
    expect(t.tokens.tokens).toHaveLength(1);
  });

  it('names the verification at the start when the provider does (V2), null when it does not (V1)', async () => {
    const t = setup();
    expect((await t.flow.startWindow()).verificationId).toBeNull();
    Object.assign(t.provider, { windowVerificationId: (merchantUid: string) => `identity-verification-${merchantUid}` });
    const started = await t.flow.startWindow();
    expect(started.verificationId).toBe(`identity-verification-${started.merchantUid}`);
  });

  it('redirect: the V2 query (identityVerificationId, code only on failure) reads like the V1 one', async () => {
    const t = setup();
    const b = await t.browser();
    const impUid = t.provider.certify(PERSON, b.merchantUid);
    const query = { identityVerificationId: impUid, identityVerificationTxId: 'tx' };
    expect(await t.flow.redirectTarget(query, b.credentials)).toBe(`https://app.example/ok?imp_uid=${impUid}`);
    expect(await t.flow.redirectTarget({ identityVerificationId: impUid, code: 'FAILURE_TYPE_PG' }, b.credentials)).toBe(
      `/failed?imp_uid=${impUid}&error_code=NOT_CERTIFIED`,
    );
    expect(await t.flow.redirectTarget({ identityVerificationId: 'bad id' }, b.credentials)).toBe('/failed?error_code=VALIDATION_FAILED');
  });

  it('redirect: failures go to the failure URL with a stable code and no personal data', async () => {
    const t = setup();
    const b = await t.browser();
    expect(await t.flow.redirectTarget({ impUid: 'bad uid', success: 'true' }, b.credentials)).toBe('/failed?error_code=VALIDATION_FAILED');
    expect(await t.flow.redirectTarget({ impUid: 'imp_1', success: 'false' }, b.credentials)).toBe('/failed?imp_uid=imp_1&error_code=NOT_CERTIFIED');
    expect(await t.flow.redirectTarget({ impUid: 'imp_1', success: 'true' }, b.credentials)).toBe('/failed?imp_uid=imp_1&error_code=CERTIFICATION_NOT_FOUND');
    const impUid = t.provider.certify(PERSON, b.merchantUid);
    t.provider.failNext('getCertification', fakeProviderError('failed', 'getCertification', { retryable: true }));
    expect(await t.flow.redirectTarget({ impUid, success: 'TRUE' }, b.credentials)).toBe(`/failed?imp_uid=${impUid}&error_code=UPSTREAM_UNAVAILABLE`);
  });
});

describe('WindowFlow: the binding of a result to the browser that started its flow', () => {
  it('403 FLOW_MISMATCH for a merchant_uid this service never started, and records nothing', async () => {
    const t = setup();
    const b = await t.browser();
    const foreign = t.provider.certify(PERSON, 'order-1');
    const none = t.provider.certify(PERSON, null);
    const guessed = t.provider.certify(PERSON, 'flow_AAAAAAAAAAAAAAAAAAAAAAAA');
    for (const impUid of [foreign, none, guessed]) {
      await expect(t.flow.verifyCertification(impUid, b.credentials)).rejects.toBeInstanceOf(FlowMismatchError);
    }
    expect(t.certifications.rows.size).toBe(0);
    expect(t.tokens.tokens).toHaveLength(0);
  });

  it('403 FLOW_MISMATCH for another browser (no cookie, another flow\'s cookie, a wrong secret); the owner still gets it', async () => {
    const t = setup();
    const owner = await t.browser();
    const stranger = await t.browser();
    const impUid = t.provider.certify(PERSON, owner.merchantUid);
    const wrongSecret = { cookieHeader: `${FLOW_COOKIE_PREFIX}${owner.merchantUid}=${'x'.repeat(43)}` };
    for (const credentials of [{}, stranger.credentials, wrongSecret, { secret: 'y'.repeat(43) }]) {
      await expect(t.flow.verifyCertification(impUid, credentials)).rejects.toBeInstanceOf(FlowMismatchError);
      expect(await t.flow.redirectTarget({ impUid, success: 'true' }, credentials)).toBe(`/failed?imp_uid=${impUid}&error_code=FLOW_MISMATCH`);
    }
    expect(t.certifications.rows.size).toBe(0);
    // Recorded by the owner's redirect: a stranger still cannot get its token.
    await t.flow.recordRedirect(impUid, owner.credentials);
    await expect(t.flow.verifyCertification(impUid, stranger.credentials)).rejects.toBeInstanceOf(FlowMismatchError);
    expect((await t.flow.verifyCertification(impUid, owner.credentials)).imp_uid).toBe(impUid);
  });

  it('accepts the secret of a client without cookies (header), the same one it started the flow with', async () => {
    const t = setup();
    const secret = 'A'.repeat(20) + 'b'.repeat(20);
    const started = await t.flow.startWindow(secret);
    expect(started.secret).toBe(secret);
    const impUid = t.provider.certify(PERSON, started.merchantUid);
    await expect(t.flow.verifyCertification(impUid, { secret: 'B'.repeat(40) })).rejects.toBeInstanceOf(FlowMismatchError);
    expect((await t.flow.verifyCertification(impUid, { secret })).imp_uid).toBe(impUid);
  });

  it('409 FLOW_ALREADY_CLAIMED for a second certification of one flow', async () => {
    const t = setup();
    const b = await t.browser();
    const first = t.provider.certify(PERSON, b.merchantUid);
    const second = t.provider.certify({ ...PERSON, ci: 'ci-other' }, b.merchantUid);
    await t.flow.verifyCertification(first, b.credentials);
    await expect(t.flow.verifyCertification(second, b.credentials)).rejects.toBeInstanceOf(FlowAlreadyClaimedError);
    expect(await t.flow.redirectTarget({ impUid: second, success: 'true' }, b.credentials)).toBe(`/failed?imp_uid=${second}&error_code=FLOW_ALREADY_CLAIMED`);
    expect(t.certifications.byImpUid(second)).toBeUndefined();
  });

  it('410 FLOW_EXPIRED past the claim window after certified_at (injected clock), also after a redirect recorded it', async () => {
    const t = setup({ window: { claimWindowSeconds: 600 } });
    const b = await t.browser();
    const late = t.provider.certify(PERSON, b.merchantUid);
    t.advance(601);
    await expect(t.flow.verifyCertification(late, b.credentials)).rejects.toBeInstanceOf(FlowExpiredError);
    expect(t.certifications.rows.size).toBe(0);

    const c = await t.browser();
    const impUid = t.provider.certify(PERSON, c.merchantUid);
    t.advance(599);
    await t.flow.recordRedirect(impUid, c.credentials);
    t.advance(2);
    await expect(t.flow.verifyCertification(impUid, c.credentials)).rejects.toBeInstanceOf(FlowExpiredError);
    expect(t.tokens.tokens).toHaveLength(0);
  });

  it('410 FLOW_EXPIRED for a certification completed after the flow expired', async () => {
    const t = setup({ window: { claimWindowSeconds: 600, flowTtlSeconds: 60 } });
    const b = await t.browser();
    t.advance(61);
    const impUid = t.provider.certify(PERSON, b.merchantUid);
    await expect(t.flow.verifyCertification(impUid, b.credentials)).rejects.toBeInstanceOf(FlowExpiredError);
  });

  it('starts flows with random merchant_uids, the configured imp_code and min_age, and stores only a hash of the secret', async () => {
    const t = setup({ window: { impCode: 'imp12345678', minAge: 19, flowTtlSeconds: 900 } });
    const a = await t.flow.startWindow();
    const b = await t.flow.startWindow();
    expect(a.merchantUid).toMatch(/^flow_[A-Za-z0-9_-]{24}$/);
    expect(a.merchantUid).not.toBe(b.merchantUid);
    expect(a).toMatchObject({ impCode: 'imp12345678', minAge: 19, expiresAt: new Date(t.now().getTime() + 900_000) });
    const stored = [...t.flows.rows.values()].map((r) => JSON.stringify(r)).join();
    expect(stored).not.toContain(a.secret);
    expect(stored).not.toContain(b.secret);
  });
});
