import { ValidationFailedError } from '@app/common';
import {
  AlreadyConfirmedError,
  CertificationNotFoundError,
  IdentityRejectedError,
  OtpAttemptsExceededError,
  OtpExpiredError,
  OtpMismatchError,
  UpstreamUnavailableError,
} from '../certification.errors';
import { fakeProviderError, inMemoryCertification } from '../testing/in-memory';
import { OtpFlow } from './otp.flow';

const PERSON = { name: '홍길동', phone: '010-1234-5678', birth: '19900101', genderDigit: '1', carrier: 'SKT' };

function setup(options: Parameters<typeof inMemoryCertification>[0] = {}) {
  const t = inMemoryCertification(options);
  const flow = new OtpFlow(t.options, t.certifications, t.provider, t.recorder, t.reporter, t.cipher, t.blindIndex);
  return { ...t, flow };
}

describe('OtpFlow.requestOtp', () => {
  it('sends the normalised request and stores the pending verification encrypted', async () => {
    const t = setup({ otpTtlSeconds: 120 });
    const { impUid, expiresAt } = await t.flow.requestOtp(PERSON);
    expect(t.provider.requests[0]).toMatchObject({ name: '홍길동', phone: '01012345678', birth: '900101', genderDigit: '1', carrier: 'SKT' });
    expect(expiresAt.getTime() - t.now().getTime()).toBe(120_000);
    const row = t.certifications.byImpUid(impUid)!;
    expect(row).toMatchObject({ status: 'pending', flow: 'otp', birthday: '1990-01-01', carrier: 'SKT', otpAttempts: 0 });
    expect(row.phoneEnc).not.toContain('1234');
    expect(t.cipher.decrypt(row.nameEnc!, 'name_enc')).toBe('홍길동');
    expect(row.phoneBidx).toBe(t.blindIndex.compute('phone', '01012345678'));
    expect(t.events.map((e) => e.type)).toEqual(['otp_requested']);
  });

  it('refuses bad input before asking the provider', async () => {
    const t = setup();
    await expect(t.flow.requestOtp({ ...PERSON, phone: '02-123-4567' })).rejects.toBeInstanceOf(ValidationFailedError);
    expect(t.provider.calls.requestOtp).toBe(0);
  });

  it('answers 422 when the provider refuses the person, and writes nothing', async () => {
    const t = setup();
    t.provider.failNext('requestOtp', fakeProviderError('refused', 'requestOtp', { providerMessage: '본인인증 정보가 일치하지 않습니다.' }));
    const error = await t.flow.requestOtp(PERSON).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityRejectedError);
    expect((error as IdentityRejectedError).details).toEqual({ upstream_message: '본인인증 정보가 일치하지 않습니다.' });
    expect(t.certifications.rows.size).toBe(0);
  });

  it('answers the provider failure (503) and reports it, writing nothing', async () => {
    const t = setup();
    t.provider.failNext('requestOtp', fakeProviderError('failed', 'requestOtp', { retryable: true }));
    await expect(t.flow.requestOtp(PERSON)).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(t.certifications.rows.size).toBe(0);
    expect(t.events).toEqual([{ type: 'upstream_failed', flow: 'otp', certificationId: undefined, errorCode: 'UPSTREAM_UNAVAILABLE' }]);
  });
});

describe('OtpFlow.confirmOtp', () => {
  it('issues the token once for the right OTP, then answers 409', async () => {
    const t = setup();
    const { impUid } = await t.flow.requestOtp(PERSON);
    const view = await t.flow.confirmOtp(impUid, t.provider.otpFor(impUid));
    expect(view).toMatchObject({ imp_uid: impUid, status: 'verified', name: '홍*동', birthday: '1990-01-01' });
    expect(view.verification_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(t.tokens.tokens).toHaveLength(1);
    expect(t.certifications.byImpUid(impUid)).toMatchObject({ status: 'verified', otpAttempts: 1 });
    expect(t.transactions.transactions).toBe(0); // the one-statement path
    await expect(t.flow.confirmOtp(impUid, t.provider.otpFor(impUid))).rejects.toBeInstanceOf(AlreadyConfirmedError);
    expect(t.tokens.tokens).toHaveLength(1);
  });

  it('counts wrong OTPs, locks at the maximum and then no longer asks the provider', async () => {
    const t = setup({ otpMaxAttempts: 2 });
    const { impUid } = await t.flow.requestOtp(PERSON);
    const wrong = t.provider.otpFor(impUid) === '000000' ? '111111' : '000000';
    const first = await t.flow.confirmOtp(impUid, wrong).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(OtpMismatchError);
    expect((first as OtpMismatchError).attemptsLeft).toBe(1);
    const second = await t.flow.confirmOtp(impUid, wrong).catch((e: unknown) => e);
    expect((second as OtpMismatchError).attemptsLeft).toBe(0);
    expect(t.certifications.byImpUid(impUid)!.status).toBe('locked');
    const calls = t.provider.calls.confirmOtp;
    await expect(t.flow.confirmOtp(impUid, t.provider.otpFor(impUid))).rejects.toBeInstanceOf(OtpAttemptsExceededError);
    expect(t.provider.calls.confirmOtp).toBe(calls);
    expect(t.events.filter((e) => e.type === 'otp_locked')).toHaveLength(1);
  });

  it('gives the attempt back when the provider fails', async () => {
    const t = setup();
    const { impUid } = await t.flow.requestOtp(PERSON);
    t.provider.failNext('confirmOtp', fakeProviderError('failed', 'confirmOtp', { retryable: true }));
    await expect(t.flow.confirmOtp(impUid, t.provider.otpFor(impUid))).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(t.certifications.byImpUid(impUid)).toMatchObject({ status: 'pending', otpAttempts: 0 });
  });

  it('answers 410 once our window passed, without asking the provider', async () => {
    const t = setup({ otpTtlSeconds: 60 });
    const { impUid } = await t.flow.requestOtp(PERSON);
    t.advance(61);
    await expect(t.flow.confirmOtp(impUid, t.provider.otpFor(impUid))).rejects.toBeInstanceOf(OtpExpiredError);
    expect(t.provider.calls.confirmOtp).toBe(0);
    expect(t.certifications.byImpUid(impUid)!.status).toBe('expired');
  });

  it('records a confirmation whose answer was lost when the provider says it is confirmed already', async () => {
    const t = setup();
    const { impUid } = await t.flow.requestOtp(PERSON);
    const otp = t.provider.otpFor(impUid);
    await t.provider.confirmOtp(impUid, otp); // went through upstream, never recorded here
    const view = await t.flow.confirmOtp(impUid, otp);
    expect(view.imp_uid).toBe(impUid);
    expect(t.events.map((e) => e.type)).toEqual(expect.arrayContaining(['verification_recovered', 'otp_confirmed', 'token_issued']));
  });

  it('answers 404 for an unknown or malformed imp_uid, and 400 for a malformed OTP', async () => {
    const t = setup();
    await expect(t.flow.confirmOtp('imp_unknown', '123456')).rejects.toBeInstanceOf(CertificationNotFoundError);
    await expect(t.flow.confirmOtp('../etc', '123456')).rejects.toBeInstanceOf(CertificationNotFoundError);
    await expect(t.flow.confirmOtp('imp_unknown', '12345')).rejects.toBeInstanceOf(ValidationFailedError);
  });
});

describe('OtpFlow limiter ports and the service name', () => {
  class FakeLimiters {
    readonly requests: string[] = [];
    readonly mismatches: string[] = [];
    refuseConfirm = false;
    async beforeOtpRequest({ phoneBidx }: { phoneBidx: string }): Promise<void> {
      this.requests.push(phoneBidx);
    }
    async beforeOtpConfirm(): Promise<void> {
      if (this.refuseConfirm) throw new ValidationFailedError([{ field: 'limit', message: 'refused by the fake limiter' }]);
    }
    async afterOtpMismatch({ phoneBidx }: { phoneBidx: string }): Promise<void> {
      this.mismatches.push(phoneBidx);
    }
  }

  it('sends the configured service name only, and counts only valid requests against the phone', async () => {
    const limiter = new FakeLimiters();
    const t = setup({ company: '길동마켓', otpRequestLimiter: limiter });
    await expect(t.flow.requestOtp({ ...PERSON, birth: '19901301' })).rejects.toBeInstanceOf(ValidationFailedError);
    expect(limiter.requests).toEqual([]);
    await t.flow.requestOtp(PERSON);
    expect(limiter.requests).toEqual([t.blindIndex.compute('phone', '01012345678')]);
    expect(t.provider.requests.map((r) => r.company)).toEqual(['길동마켓']);
  });

  it('records wrong OTPs per phone and, when the cap refuses, gives the attempt back without asking the provider', async () => {
    const limiter = new FakeLimiters();
    const t = setup({ otpConfirmLimiter: limiter });
    const { impUid } = await t.flow.requestOtp(PERSON);
    const wrong = t.provider.otpFor(impUid) === '000000' ? '111111' : '000000';
    await expect(t.flow.confirmOtp(impUid, wrong)).rejects.toBeInstanceOf(OtpMismatchError);
    expect(limiter.mismatches).toEqual([t.blindIndex.compute('phone', '01012345678')]);

    limiter.refuseConfirm = true;
    const calls = t.provider.calls.confirmOtp;
    await expect(t.flow.confirmOtp(impUid, t.provider.otpFor(impUid))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(t.provider.calls.confirmOtp).toBe(calls);
    expect(t.certifications.byImpUid(impUid)).toMatchObject({ status: 'pending', otpAttempts: 1 });
  });
});
