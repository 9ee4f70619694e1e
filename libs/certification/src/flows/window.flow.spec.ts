import { AlreadyConfirmedError, CertificationNotFoundError, NotCertifiedError } from '../certification.errors';
import { fakeProviderError, inMemoryCertification, type FakePerson } from '../testing/in-memory';
import { WindowFlow } from './window.flow';

const PERSON: FakePerson = { name: '김영희', phone: '01022223333', birthday: '1995-05-05', gender: 'female', ci: 'ci-kim', di: 'di-kim' };

function setup() {
  const t = inMemoryCertification({ redirect: { successUrl: 'https://app.example/ok', failureUrl: '/failed' } });
  const flow = new WindowFlow(t.options, t.certifications, t.provider, t.recorder, t.reporter);
  return { ...t, flow };
}

describe('WindowFlow', () => {
  it('records a popup certification and issues its token once', async () => {
    const t = setup();
    const impUid = t.provider.certify(PERSON);
    const view = await t.flow.verifyCertification(impUid);
    expect(view).toMatchObject({ imp_uid: impUid, name: '김*희', gender: 'female', birthday: '1995-05-05' });
    const row = t.certifications.byImpUid(impUid)!;
    expect(row).toMatchObject({ flow: 'popup', status: 'verified' });
    expect(row.ciBidx).toBe(t.blindIndex.compute('ci', 'ci-kim'));
    await expect(t.flow.verifyCertification(impUid)).rejects.toBeInstanceOf(AlreadyConfirmedError);
    expect(t.tokens.tokens).toHaveLength(1);
    expect(t.events.map((e) => e.type)).toEqual(['token_issued', 'popup_verified']);
  });

  it('answers 404 for an id the provider does not know and 409 for one not completed', async () => {
    const t = setup();
    await expect(t.flow.verifyCertification('imp_nope')).rejects.toBeInstanceOf(CertificationNotFoundError);
    const { id } = await t.provider.requestOtp({ name: '김영희', phone: '01022223333', birth: '950505', genderDigit: '2', carrier: 'KT' });
    await expect(t.flow.verifyCertification(id)).rejects.toBeInstanceOf(NotCertifiedError);
    expect(t.certifications.rows.size).toBe(0);
  });

  it('redirect: records without a token, the later POST issues it', async () => {
    const t = setup();
    const impUid = t.provider.certify(PERSON);
    expect(await t.flow.redirectTarget({ impUid, success: 'true' })).toBe(`https://app.example/ok?imp_uid=${impUid}`);
    expect(t.tokens.tokens).toHaveLength(0);
    expect(t.certifications.byImpUid(impUid)!.status).toBe('verified');
    await t.flow.recordRedirect(impUid); // idempotent
    const view = await t.flow.verifyCertification(impUid);
    expect(view.verification_token).toBeDefined();
    expect(t.tokens.tokens).toHaveLength(1);
  });

  it('redirect: failures go to the failure URL with a stable code and no personal data', async () => {
    const t = setup();
    expect(await t.flow.redirectTarget({ impUid: 'bad uid', success: 'true' })).toBe('/failed?error_code=VALIDATION_FAILED');
    expect(await t.flow.redirectTarget({ impUid: 'imp_1', success: 'false' })).toBe('/failed?imp_uid=imp_1&error_code=NOT_CERTIFIED');
    expect(await t.flow.redirectTarget({ impUid: 'imp_1', success: 'true' })).toBe('/failed?imp_uid=imp_1&error_code=CERTIFICATION_NOT_FOUND');
    const impUid = t.provider.certify(PERSON);
    t.provider.failNext('getCertification', fakeProviderError('failed', 'getCertification', { retryable: true }));
    expect(await t.flow.redirectTarget({ impUid, success: 'TRUE' })).toBe(`/failed?imp_uid=${impUid}&error_code=UPSTREAM_UNAVAILABLE`);
  });
});
