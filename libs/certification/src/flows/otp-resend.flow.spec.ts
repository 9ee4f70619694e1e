import { CertificationNotFoundError, OtpAttemptsExceededError, OtpExpiredError } from '../certification.errors';
import { inMemoryCertification } from '../testing/in-memory';
import { OtpResendFlow } from './otp-resend.flow';
import { OtpFlow } from './otp.flow';

const PERSON = { name: '홍길동', phone: '010-1234-5678', birth: '20050307', genderDigit: '8', carrier: 'KT', isMvno: true };

function setup(limits: Array<{ phoneBidx: string; ip: string | null }> = []) {
  const t = inMemoryCertification({ otpRequestLimiter: { beforeOtpRequest: async (request) => void limits.push(request) } });
  const otp = new OtpFlow(t.options, t.certifications, t.provider, t.recorder, t.reporter, t.cipher, t.blindIndex);
  const resend = new OtpResendFlow(t.options, t.certifications, t.provider, t.reporter, t.cipher);
  return { ...t, otp, resend, limits };
}

describe('OtpResendFlow', () => {
  it('V1 (no resend upstream): the same request again under a new imp_uid, within the send limits; the old one expires', async () => {
    const t = setup();
    const first = await t.otp.requestOtp(PERSON, { ip: '203.0.113.5' });
    t.advance(30);
    const again = await t.resend.resendOtp(first.impUid, { ip: '203.0.113.5' });
    expect(again.impUid).not.toBe(first.impUid);
    // the gender digit, century, foreigner flag and MVNO carrier are rebuilt from the stored row
    expect(t.provider.requests[1]).toMatchObject({ name: '홍길동', phone: '01012345678', birth: '050307', genderDigit: '8', carrier: 'KT', isMvno: true, clientIp: '203.0.113.5' });
    expect(t.limits).toHaveLength(2);
    expect(t.limits[1].phoneBidx).toBe(t.limits[0].phoneBidx);
    expect(t.certifications.byImpUid(first.impUid)!.status).toBe('expired');
    expect(t.certifications.byImpUid(again.impUid)).toMatchObject({ status: 'pending', gender: 'female', foreigner: true, carrier: 'KT_MVNO' });
    const otp = t.provider.otpFor(again.impUid);
    await expect(t.otp.confirmOtp(again.impUid, otp)).resolves.toMatchObject({ imp_uid: again.impUid });
  });

  it('V2 (resend for the same id): the OTP window starts again, the attempts used stay used', async () => {
    const t = setup();
    t.provider.resendKeepsId = true;
    const first = await t.otp.requestOtp(PERSON);
    await t.otp.confirmOtp(first.impUid, '000000').catch(() => undefined);
    t.advance(170);
    const again = await t.resend.resendOtp(first.impUid);
    expect(again.impUid).toBe(first.impUid);
    expect(again.expiresAt.getTime() - t.now().getTime()).toBe(180_000);
    t.advance(60); // past the first window, within the new one
    const row = t.certifications.byImpUid(first.impUid)!;
    expect(row).toMatchObject({ status: 'pending', otpAttempts: 1 });
    await expect(t.otp.confirmOtp(first.impUid, t.provider.otpFor(first.impUid))).resolves.toMatchObject({ imp_uid: first.impUid });
  });

  it('refuses what is not a pending OTP verification', async () => {
    const t = setup();
    await expect(t.resend.resendOtp('imp_unknown')).rejects.toBeInstanceOf(CertificationNotFoundError);
    const expired = await t.otp.requestOtp(PERSON);
    t.advance(200);
    await expect(t.resend.resendOtp(expired.impUid)).rejects.toBeInstanceOf(OtpExpiredError);
    const locked = await t.otp.requestOtp(PERSON);
    t.certifications.rows.get(t.certifications.byImpUid(locked.impUid)!.id)!.status = 'locked';
    await expect(t.resend.resendOtp(locked.impUid)).rejects.toBeInstanceOf(OtpAttemptsExceededError);
    expect(t.provider.calls.requestOtp).toBe(2);
  });
});
