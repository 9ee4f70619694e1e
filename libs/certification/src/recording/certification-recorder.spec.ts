import { AlreadyConfirmedError, UpstreamError } from '../certification.errors';
import type { IdentityCertification } from '../providers/identity-provider';
import { inMemoryCertification } from '../testing/in-memory';

const CERTIFIED: IdentityCertification = {
  id: 'imp_r1', certified: true, name: '홍길동', phone: '010-1234-5678', birthday: '1990-01-01', gender: 'male', foreigner: false,
  carrier: 'SKT', certifiedAt: new Date('2026-03-01T02:59:00Z'), ci: 'ci-1', di: 'di-1', merchantUid: null,
};

describe('CertificationRecorder', () => {
  it('records a pending row with the provider data, in one statement with its token', async () => {
    const t = inMemoryCertification();
    const row = t.certifications.seed({ impUid: 'imp_r1', otpExpiresAt: new Date('2026-03-01T03:03:00Z') });
    const view = await t.recorder.record(CERTIFIED, row, true);
    expect(view).toMatchObject({ imp_uid: 'imp_r1', certified_at: '2026-03-01T02:59:00.000Z', name: '홍*동' });
    const stored = t.certifications.rows.get(row.id)!;
    expect(stored.status).toBe('verified');
    expect(t.cipher.decrypt(stored.phoneEnc!, 'phone_enc')).toBe('01012345678');
    expect(t.cipher.decrypt(stored.diEnc!, 'di_enc')).toBe('di-1');
    expect(t.transactions.transactions).toBe(0);
  });

  it('refuses a certification without a CI (502) and writes nothing', async () => {
    const t = inMemoryCertification();
    const row = t.certifications.seed({ impUid: 'imp_r1' });
    await expect(t.recorder.record({ ...CERTIFIED, ci: null }, row, true)).rejects.toBeInstanceOf(UpstreamError);
    expect(t.certifications.rows.get(row.id)!.status).toBe('pending');
    expect(t.tokens.tokens).toHaveLength(0);
  });

  it('records without a token; the token is then issued once, under the row lock', async () => {
    const t = inMemoryCertification();
    const row = t.certifications.seed({ impUid: 'imp_r1' });
    expect(await t.recorder.record(CERTIFIED, row, false)).toBeNull();
    expect(t.tokens.tokens).toHaveLength(0);
    const recorded = (await t.certifications.findById(row.id))!;
    const view = await t.recorder.issueForRecorded(recorded);
    expect(view.verification_token).toBeDefined();
    await expect(t.recorder.issueForRecorded(recorded)).rejects.toBeInstanceOf(AlreadyConfirmedError);
    expect(t.tokens.tokens).toHaveLength(1);
    expect(t.events.filter((e) => e.type === 'token_issued')).toHaveLength(1);
  });

  it('answers 409 for a verification used for a signup', async () => {
    const t = inMemoryCertification();
    const row = t.certifications.seed({ impUid: 'imp_r1', status: 'used' });
    await expect(t.recorder.record(CERTIFIED, row, true)).rejects.toBeInstanceOf(AlreadyConfirmedError);
  });
});
