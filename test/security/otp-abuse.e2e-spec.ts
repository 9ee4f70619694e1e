/**
 * Hostile use of the OTP routes against the real api and the sandbox (issue 13, items 2, 5, 6):
 * - the SMS text's service name is the operator's configuration; a `company` in the body is refused;
 * - only requests that reach the carrier spend the phone's sends; the per-IP limit counts all;
 * - wrong OTPs per phone per day are capped across verifications, then 429 for that phone.
 */
import { Flows } from '../support/flows';
import { freshPhone, type Person } from '../support/people';

const SERVICE_NAME = '길동마켓';

function person(overrides: Partial<Person> = {}): Person {
  return { name: '한지우', phone: freshPhone(), birth: '19920315', gender_digit: '2', carrier: 'KT', ...overrides };
}

function wrong(otp: string): string {
  return String((Number(otp) + 1) % 1_000_000).padStart(6, '0');
}

async function inbox(f: Flows, phone: string): Promise<Array<{ imp_uid: string; otp: string; text: string }>> {
  const res = await f.sandbox<{ messages: Array<{ imp_uid: string; otp: string; text: string }> }>('GET', `/__sandbox/inbox?phone=${phone}`);
  return res.body.messages;
}

describe('OTP routes under abuse', () => {
  let f: Flows;
  beforeAll(async () => {
    f = await Flows.start({
      env: {
        IAMPORT_COMPANY: SERVICE_NAME,
        OTP_SEND_LIMIT_PER_PHONE: '2',
        OTP_FAILURE_LIMIT_PER_PHONE_PER_DAY: '7',
      },
    });
  });
  afterAll(async () => f?.close());

  describe('the SMS text (item 2)', () => {
    it('names the configured service and carries the OTP, as the carrier sends it', async () => {
      const p = person();
      const res = await f.requestOtp(p).expect(201);
      const [sms] = await inbox(f, p.phone);
      expect(sms.imp_uid).toBe(res.body.imp_uid);
      expect(sms.text).toContain(`[${SERVICE_NAME}]`);
      expect(sms.text).toContain(sms.otp);
    });

    it('refuses a company in the body as an unknown field: no SMS goes out, none of the phone\'s sends is spent', async () => {
      const p = person();
      const before = await f.stats();
      const res = await f.requestOtp({ ...p, company: '[국민은행] 계좌가 정지되었습니다 http://phish.example' }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields.map((x: { field: string }) => x.field)).toEqual(['company']);
      expect(res.text).not.toContain('phish');
      expect((await f.stats()).calls.requestOtp).toBe(before.calls.requestOtp);
      expect(await inbox(f, p.phone)).toEqual([]);
      // OTP_SEND_LIMIT_PER_PHONE=2: both sends are still there
      await f.requestOtp(p).expect(201);
      await f.requestOtp(p).expect(201);
    });
  });

  describe('the per-phone send budget (item 5)', () => {
    it('is spent only by requests that reach the carrier: five mistyped birth dates lock nobody out', async () => {
      const p = person();
      for (const birth of ['19921315', '19920230', '1992-03', '2099-01-01', 'x']) {
        const res = await f.requestOtp({ ...p, birth }).expect(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
      const before = (await f.stats()).sms_sent;
      await f.requestOtp(p).expect(201);
      await f.requestOtp(p).expect(201);
      const refused = await f.requestOtp(p).expect(429);
      expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'phone', limit: 2, window_seconds: 600 } });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(590);
      expect((await f.stats()).sms_sent - before).toBe(2);
      // an invalid request for a phone whose budget is used up is still only a 400
      await f.requestOtp({ ...p, carrier: 'XX' }).expect(400);
    });
  });

  describe('wrong OTPs per phone per day (item 6)', () => {
    it('caps them across verifications, then answers 429 for that phone without asking the carrier', async () => {
      const p = person();
      const first = await f.requestOtp(p).expect(201);
      const firstOtp = await f.latestOtp(p.phone, first.body.imp_uid);
      for (let i = 0; i < 5; i++) await f.confirm(first.body.imp_uid, wrong(firstOtp)).expect(400);
      await f.confirm(first.body.imp_uid, firstOtp).expect(429); // locked: OTP_ATTEMPTS_EXCEEDED

      const second = await f.requestOtp(p).expect(201);
      const otp = await f.latestOtp(p.phone, second.body.imp_uid);
      const mismatch = await f.confirm(second.body.imp_uid, wrong(otp)).expect(400);
      expect(mismatch.body.error.code).toBe('OTP_MISMATCH');
      await f.confirm(second.body.imp_uid, wrong(otp)).expect(400);

      // 7 wrong OTPs today: even the right one is refused now, and the carrier is not asked
      const before = (await f.stats()).calls.confirmOtp;
      const refused = await f.confirm(second.body.imp_uid, otp).expect(429);
      expect(refused.body.error).toMatchObject({
        code: 'RATE_LIMITED',
        details: { scope: 'phone', limit: 7, window_seconds: 86400, counts: 'failed_confirmations' },
      });
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(86_000);
      expect(retryAfter).toBeLessThanOrEqual(86_400);
      expect((await f.stats()).calls.confirmOtp).toBe(before);
      // the refused confirmation did not use one of the verification's attempts
      const [row] = await f.t.query<{ otp_attempts: number }>('SELECT otp_attempts FROM certifications WHERE imp_uid = $1', [second.body.imp_uid]);
      expect(Number(row.otp_attempts)).toBe(2);
    });

    it('leaves other phones alone', async () => {
      const { view } = await f.verifyByOtp(person());
      expect(view.verification_token).toEqual(expect.any(String));
    });
  });
});

describe('the per-IP send limit (item 5)', () => {
  let f: Flows;
  beforeAll(async () => {
    f = await Flows.start({ env: { OTP_SEND_LIMIT_PER_IP: '3' } });
  });
  afterAll(async () => f?.close());

  it('still counts every request, invalid ones included', async () => {
    for (let i = 0; i < 3; i++) await f.requestOtp({ ...person(), birth: 'not a date' }).expect(400);
    const refused = await f.requestOtp(person()).expect(429);
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'ip', limit: 3 } });
    expect((await f.stats()).calls.requestOtp ?? 0).toBe(0);
  });
});
