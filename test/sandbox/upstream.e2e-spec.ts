import { MESSAGES } from '../../apps/iamport-sandbox/src/messages';
import {
  HONG,
  IMP_KEY,
  IMP_SECRET,
  SandboxHarness,
  type Certification,
  type TokenResponse,
} from '../support/sandbox-harness';

/** The upstream paths of the sandbox, driven over real HTTP. */
describe('iamport sandbox: upstream API', () => {
  const h = new SandboxHarness({ otpTtlSeconds: 180, merchantId: 'imp12345678' });

  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.stop();
  });
  beforeEach(async () => {
    await h.reset();
  });

  describe('POST /users/getToken', () => {
    it('issues a 40-hex token valid 30 minutes from the sandbox clock, in the envelope', async () => {
      const res = await h.upstream<TokenResponse>('POST', '/users/getToken', {
        json: { imp_key: IMP_KEY, imp_secret: IMP_SECRET },
      });
      expect(res.status).toBe(200);
      expect(res.body.code).toBe(0);
      expect(res.body.message).toBeNull();
      const token = res.body.response!;
      expect(token.access_token).toMatch(/^[0-9a-f]{40}$/);
      expect(Number.isInteger(token.now)).toBe(true);
      expect(token.expired_at - token.now).toBe(1800);
      expect(Math.abs(token.now - Date.now() / 1000)).toBeLessThan(5);
    });

    it('accepts a form body', async () => {
      const res = await h.upstream<TokenResponse>('POST', '/users/getToken', {
        form: { imp_key: IMP_KEY, imp_secret: IMP_SECRET },
      });
      expect(res.status).toBe(200);
      expect(res.body.response!.access_token).toMatch(/^[0-9a-f]{40}$/);
    });

    it.each([
      ['a wrong secret', { imp_key: IMP_KEY, imp_secret: 'nope' }],
      ['a wrong key', { imp_key: 'nope', imp_secret: IMP_SECRET }],
      ['no credentials', {}],
    ])('answers 401 with %s', async (_label, json) => {
      const res = await h.upstream('POST', '/users/getToken', { json });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.invalidCredentials, response: null });
    });

    it('gives the same token and expired_at when asked again before expiry', async () => {
      const first = (await h.upstream<TokenResponse>('POST', '/users/getToken', { json: { imp_key: IMP_KEY, imp_secret: IMP_SECRET } })).body.response!;
      await h.advanceClock(600);
      const second = (await h.upstream<TokenResponse>('POST', '/users/getToken', { json: { imp_key: IMP_KEY, imp_secret: IMP_SECRET } })).body.response!;
      expect(second.access_token).toBe(first.access_token);
      expect(second.expired_at).toBe(first.expired_at);
      expect(second.now - first.now).toBeGreaterThanOrEqual(600);
    });

    it('extends expired_at by 5 minutes when asked within the last minute, once', async () => {
      const ask = async () =>
        (await h.upstream<TokenResponse>('POST', '/users/getToken', { json: { imp_key: IMP_KEY, imp_secret: IMP_SECRET } })).body.response!;
      const first = await ask();
      // 2 minutes left: outside the window, unchanged
      await h.advanceClock(1800 - 120);
      const outside = await ask();
      expect(outside.access_token).toBe(first.access_token);
      expect(outside.expired_at).toBe(first.expired_at);
      // 30 seconds left: inside the window, +300
      await h.advanceClock(90);
      const inside = await ask();
      expect(inside.expired_at - inside.now).toBeLessThanOrEqual(60 + 300);
      expect(inside.access_token).toBe(first.access_token);
      expect(inside.expired_at).toBe(first.expired_at + 300);
      // asked again at once: no longer in the last minute, no second extension
      const again = await ask();
      expect(again.expired_at).toBe(first.expired_at + 300);
      // the extended token is still accepted after its original expiry
      await h.advanceClock(120);
      const get = await h.upstream('GET', '/certifications/imp_000000000000', { token: first.access_token });
      expect(get.status).toBe(404);
    });

    it('issues a new token after expiry, and the old one answers 401', async () => {
      const first = await h.token();
      await h.advanceClock(1801);
      const res = await h.upstream<TokenResponse>('POST', '/users/getToken', { json: { imp_key: IMP_KEY, imp_secret: IMP_SECRET } });
      const second = res.body.response!;
      expect(second.access_token).not.toBe(first);
      expect(second.expired_at - second.now).toBe(1800);
      const old = await h.upstream('GET', '/certifications/imp_000000000000', { token: first });
      expect(old.status).toBe(401);
      expect(old.body).toEqual({ code: -1, message: MESSAGES.expiredToken, response: null });
      const fresh = await h.upstream('GET', '/certifications/imp_000000000000', { token: second.access_token });
      expect(fresh.status).toBe(404);
    });

    it('tokens are random across resets', async () => {
      const a = await h.token();
      await h.reset();
      const b = await h.token();
      expect(a).not.toBe(b);
    });
  });

  describe('authentication of the certification paths', () => {
    it('accepts "Bearer <token>", the bare token and X-ImpTokenHeader', async () => {
      const token = await h.token();
      const bearer = await h.upstream('GET', '/certifications/imp_000000000000', { headers: { authorization: `Bearer ${token}` } });
      const lower = await h.upstream('GET', '/certifications/imp_000000000000', { headers: { authorization: `bearer ${token}` } });
      const bare = await h.upstream('GET', '/certifications/imp_000000000000', { headers: { authorization: token } });
      const legacy = await h.upstream('GET', '/certifications/imp_000000000000', { headers: { 'x-imptokenheader': token } });
      for (const res of [bearer, lower, bare, legacy]) expect(res.status).toBe(404);
    });

    it('Authorization wins over X-ImpTokenHeader', async () => {
      const token = await h.token();
      const res = await h.upstream('GET', '/certifications/imp_000000000000', {
        headers: { authorization: 'Bearer wrong', 'x-imptokenheader': token },
      });
      expect(res.status).toBe(401);
    });

    it.each([
      ['POST', '/certifications/otp/request'],
      ['POST', '/certifications/otp/confirm/imp_000000000000'],
      ['GET', '/certifications/imp_000000000000'],
      ['DELETE', '/certifications/imp_000000000000'],
    ])('%s %s answers 401 without a token or with an unknown one', async (method, path) => {
      const json = method === 'POST' ? {} : undefined;
      const none = await h.upstream(method, path, { json });
      expect(none.status).toBe(401);
      expect(none.body).toEqual({ code: -1, message: MESSAGES.invalidToken, response: null });
      const unknown = await h.upstream(method, path, { json, token: 'f'.repeat(40) });
      expect(unknown.status).toBe(401);
      expect(unknown.body.message).toBe(MESSAGES.invalidToken);
    });

    it('POST /__sandbox/tokens/expire expires every issued token', async () => {
      const token = await h.token();
      const expired = await h.call<{ expired: number }>('POST', '/__sandbox/tokens/expire');
      expect(expired.body.expired).toBe(1);
      const res = await h.requestOtp(token);
      expect(res.status).toBe(401);
      expect(res.body.message).toBe(MESSAGES.expiredToken);
      const next = await h.token();
      expect(next).not.toBe(token);
      expect((await h.requestOtp(next)).status).toBe(200);
    });
  });

  describe('POST /certifications/otp/request', () => {
    it('answers {imp_uid} and sends a 6-digit OTP to the normalized phone', async () => {
      const token = await h.token();
      const res = await h.requestOtp(token);
      expect(res.status).toBe(200);
      expect(res.body.code).toBe(0);
      expect(res.body.message).toBeNull();
      const impUid = res.body.response!.imp_uid;
      expect(impUid).toMatch(/^imp_\d{12}$/);
      const inbox = await h.inbox('01012345678');
      expect(inbox).toHaveLength(1);
      expect(inbox[0].imp_uid).toBe(impUid);
      expect(inbox[0].otp).toMatch(/^\d{6}$/);
      expect(Math.abs(inbox[0].sent_at - Date.now() / 1000)).toBeLessThan(5);
      // the inbox phone is normalized too
      expect(await h.inbox('010.1234.5678')).toEqual(inbox);
      expect(await h.inbox('01099998888')).toEqual([]);
    });

    it('keeps the inbox newest first', async () => {
      const token = await h.token();
      const a = (await h.requestOtp(token)).body.response!.imp_uid;
      const b = (await h.requestOtp(token)).body.response!.imp_uid;
      const inbox = await h.inbox(HONG.phone);
      expect(inbox.map((m) => m.imp_uid)).toEqual([b, a]);
    });

    it('accepts a form body (is_mvno as text)', async () => {
      const token = await h.token();
      const res = await h.upstream<{ imp_uid: string }>('POST', '/certifications/otp/request', {
        token,
        form: { name: '김영희', phone: '010 2222 3333', birth: '95-12-31', gender_digit: '2', carrier: 'KT', is_mvno: 'true' },
      });
      expect(res.status).toBe(200);
      const [sms] = await h.inbox('01022223333');
      const confirmed = await h.upstream<Certification>('POST', `/certifications/otp/confirm/${res.body.response!.imp_uid}`, {
        token,
        form: { otp: sms.otp },
      });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.response).toMatchObject({ carrier: 'KT_MVNO', birthday: '1995-12-31', gender: 'female' });
    });

    it.each([
      ['YYMMDD, 1900s digit', '900101', '1', '1990-01-01', 'male', false],
      ['YYMMDD, 2000s digit', '050301', '4', '2005-03-01', 'female', false],
      ['YYYYMMDD', '19900101', '2', '1990-01-01', 'female', false],
      ['YYYYMMDD with separators', '2001.02.03', '3', '2001-02-03', 'male', false],
      ['foreigner, 1900s', '851120', '5', '1985-11-20', 'male', true],
      ['foreigner, 2000s', '20040229', '8', '2004-02-29', 'female', true],
    ])('accepts birth as %s', async (_label, birth, genderDigit, birthday, gender, foreigner) => {
      const token = await h.token();
      const cert = await h.certify(token, { ...HONG, birth, gender_digit: genderDigit });
      expect(cert.birthday).toBe(birthday);
      expect(cert.birth).toBe(Date.UTC(Number(birthday.slice(0, 4)), Number(birthday.slice(5, 7)) - 1, Number(birthday.slice(8))) / 1000);
      expect(cert.gender).toBe(gender);
      expect(cert.foreigner).toBe(foreigner);
    });

    it('accepts gender_digit as a JSON number', async () => {
      const token = await h.token();
      const res = await h.requestOtp(token, { ...HONG, gender_digit: 1 });
      expect(res.status).toBe(200);
    });

    it.each([
      ['name missing', { name: undefined }, MESSAGES.missingName],
      ['name empty', { name: '' }, MESSAGES.missingName],
      ['name blank', { name: '   ' }, MESSAGES.invalidName],
      ['name not a string', { name: 42 }, MESSAGES.invalidName],
      ['phone missing', { phone: undefined }, MESSAGES.missingPhone],
      ['phone a landline', { phone: '02-123-4567' }, MESSAGES.invalidPhone],
      ['phone too short', { phone: '010-123-456' }, MESSAGES.invalidPhone],
      ['phone too long', { phone: '010-1234-56789' }, MESSAGES.invalidPhone],
      ['phone with +82', { phone: '+82 10-1234-5678' }, MESSAGES.invalidPhone],
      ['birth missing', { birth: undefined }, MESSAGES.missingBirth],
      ['birth of 7 digits', { birth: '9001011' }, MESSAGES.invalidBirth],
      ['birth not a date', { birth: '900230' }, MESSAGES.invalidBirth],
      ['birth month 13', { birth: '901301' }, MESSAGES.invalidBirth],
      ['birth 29 Feb of a common year', { birth: '19900229' }, MESSAGES.invalidBirth],
      ['birth in the future', { birth: '20991231', gender_digit: '3' }, MESSAGES.invalidBirth],
      ['birth century against the digit', { birth: '19900101', gender_digit: '3' }, MESSAGES.birthGenderMismatch],
      ['gender_digit missing', { gender_digit: undefined }, MESSAGES.missingGenderDigit],
      ['gender_digit 9', { gender_digit: '9' }, MESSAGES.invalidGenderDigit],
      ['gender_digit 0', { gender_digit: '0' }, MESSAGES.invalidGenderDigit],
      ['gender_digit two digits', { gender_digit: '12' }, MESSAGES.invalidGenderDigit],
      ['carrier missing', { carrier: undefined }, MESSAGES.missingCarrier],
      ['carrier unknown', { carrier: 'SK' }, MESSAGES.invalidCarrier],
      ['carrier already *_MVNO', { carrier: 'SKT_MVNO' }, MESSAGES.invalidCarrier],
      ['is_mvno not a boolean', { is_mvno: 'maybe' }, MESSAGES.invalidMvno],
      ['pg not danal', { pg: 'kcp_v2' }, MESSAGES.invalidPg],
    ])('answers 400 with %s', async (_label, patch, message) => {
      const token = await h.token();
      const res = await h.requestOtp(token, { ...HONG, ...patch });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: -1, message, response: null });
      expect(await h.inbox(HONG.phone)).toEqual([]);
    });

    it('the carrier rejects a phone number ending in 0000 (400, no SMS)', async () => {
      const token = await h.token();
      const res = await h.requestOtp(token, { ...HONG, phone: '010-5555-0000' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.carrierRejected, response: null });
      expect(await h.inbox('01055550000')).toEqual([]);
      expect((await h.stats()).sms_sent).toBe(0);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const token = await h.token();
      const res = await h.upstream('POST', '/certifications/otp/request', { token, raw: '{"name": ' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.badJson, response: null });
      const array = await h.upstream('POST', '/certifications/otp/request', { token, raw: '[1,2]' });
      expect(array.status).toBe(400);
      expect(array.body.message).toBe(MESSAGES.badBody);
    });
  });

  describe('POST /certifications/otp/confirm/:imp_uid', () => {
    it('confirms with the OTP and answers the certification in the upstream types', async () => {
      const token = await h.token();
      const impUid = (await h.requestOtp(token, { ...HONG, merchant_uid: 'order-1' })).body.response!.imp_uid;
      const [sms] = await h.inbox(HONG.phone);
      const res = await h.upstream<Certification>('POST', `/certifications/otp/confirm/${impUid}`, { token, json: { otp: sms.otp } });
      expect(res.status).toBe(200);
      expect(res.body.code).toBe(0);
      expect(res.body.message).toBeNull();
      const cert = res.body.response!;
      expect(cert).toEqual({
        imp_uid: impUid,
        merchant_uid: 'order-1',
        pg_tid: expect.stringMatching(/^\d{24}$/),
        pg_provider: 'danal',
        pg_type: 'certification',
        name: '홍길동',
        gender: 'male',
        birth: 631152000,
        birthday: '1990-01-01',
        foreigner: false,
        foreigner_v2: null,
        phone: '01012345678',
        carrier: 'SKT',
        certified: true,
        certified_at: expect.any(Number),
        unique_key: expect.any(String),
        unique_in_site: expect.any(String),
        origin: null,
      });
      expect(Math.abs(cert.certified_at - Date.now() / 1000)).toBeLessThan(5);
      expect(cert.unique_key).toHaveLength(88);
      expect(cert.unique_in_site).toHaveLength(44);
    });

    it('answers 400 for a missing OTP', async () => {
      const token = await h.token();
      const impUid = (await h.requestOtp(token)).body.response!.imp_uid;
      const res = await h.upstream('POST', `/certifications/otp/confirm/${impUid}`, { token, json: {} });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.missingOtp, response: null });
    });

    it('answers 400 for a wrong OTP, and the right one still works', async () => {
      const token = await h.token();
      const impUid = (await h.requestOtp(token)).body.response!.imp_uid;
      const [sms] = await h.inbox(HONG.phone);
      const wrong = sms.otp === '000000' ? '111111' : '000000';
      const res = await h.upstream('POST', `/certifications/otp/confirm/${impUid}`, { token, json: { otp: wrong } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.otpMismatch, response: null });
      const ok = await h.upstream('POST', `/certifications/otp/confirm/${impUid}`, { token, json: { otp: sms.otp } });
      expect(ok.status).toBe(200);
    });

    it('answers 400 when already confirmed', async () => {
      const token = await h.token();
      const cert = await h.certify(token);
      const [sms] = await h.inbox(HONG.phone);
      const res = await h.upstream('POST', `/certifications/otp/confirm/${cert.imp_uid}`, { token, json: { otp: sms.otp } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.alreadyCertified, response: null });
    });

    it('answers 404 for an unknown imp_uid', async () => {
      const token = await h.token();
      const res = await h.upstream('POST', '/certifications/otp/confirm/imp_000000000000', { token, json: { otp: '123456' } });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.otpRequestNotFound, response: null });
    });

    it('answers 400 with its own message once the OTP expired on the sandbox clock', async () => {
      const token = await h.token();
      const impUid = (await h.requestOtp(token)).body.response!.imp_uid;
      const [sms] = await h.inbox(HONG.phone);
      await h.advanceClock(175);
      // still valid just before the TTL (180 s)
      const pending = await h.upstream<Certification>('GET', `/certifications/${impUid}`, { token });
      expect(pending.body.response!.certified).toBe(false);
      await h.advanceClock(10);
      const res = await h.upstream('POST', `/certifications/otp/confirm/${impUid}`, { token, json: { otp: sms.otp } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.otpExpired, response: null });
      const after = await h.upstream<Certification>('GET', `/certifications/${impUid}`, { token });
      expect(after.body.response!.certified).toBe(false);
    });

    it('confirms just before the TTL', async () => {
      const token = await h.token();
      const impUid = (await h.requestOtp(token)).body.response!.imp_uid;
      const [sms] = await h.inbox(HONG.phone);
      await h.advanceClock(170);
      const res = await h.upstream('POST', `/certifications/otp/confirm/${impUid}`, { token, json: { otp: sms.otp } });
      expect(res.status).toBe(200);
    });
  });

  describe('GET and DELETE /certifications/:imp_uid', () => {
    it('GET answers a pending OTP certification with certified false and no CI/DI', async () => {
      const token = await h.token();
      const impUid = (await h.requestOtp(token)).body.response!.imp_uid;
      const res = await h.upstream<Certification>('GET', `/certifications/${impUid}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.response).toMatchObject({
        imp_uid: impUid,
        merchant_uid: null,
        pg_provider: 'danal',
        name: '홍길동',
        birthday: '1990-01-01',
        phone: '01012345678',
        carrier: 'SKT',
        certified: false,
        certified_at: 0,
        unique_key: null,
        unique_in_site: null,
        origin: null,
      });
    });

    it('GET answers the confirmed certification, equal to what confirm answered', async () => {
      const token = await h.token();
      const cert = await h.certify(token);
      const res = await h.upstream<Certification>('GET', `/certifications/${cert.imp_uid}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.response).toEqual(cert);
    });

    it('GET answers 404 for an unknown imp_uid', async () => {
      const token = await h.token();
      const res = await h.upstream('GET', '/certifications/imp_999999999999', { token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.certificationNotFound, response: null });
    });

    it('DELETE answers the certification and erases it', async () => {
      const token = await h.token();
      const cert = await h.certify(token);
      const del = await h.upstream<Certification>('DELETE', `/certifications/${cert.imp_uid}`, { token });
      expect(del.status).toBe(200);
      expect(del.body.code).toBe(0);
      expect(del.body.response).toEqual(cert);
      const get = await h.upstream('GET', `/certifications/${cert.imp_uid}`, { token });
      expect(get.status).toBe(404);
      const again = await h.upstream('DELETE', `/certifications/${cert.imp_uid}`, { token });
      expect(again.status).toBe(404);
      expect(again.body).toEqual({ code: -1, message: MESSAGES.certificationNotFound, response: null });
    });

    it('a deleted pending certification can no longer be confirmed', async () => {
      const token = await h.token();
      const impUid = (await h.requestOtp(token)).body.response!.imp_uid;
      const [sms] = await h.inbox(HONG.phone);
      expect((await h.upstream('DELETE', `/certifications/${impUid}`, { token })).status).toBe(200);
      const res = await h.upstream('POST', `/certifications/otp/confirm/${impUid}`, { token, json: { otp: sms.otp } });
      expect(res.status).toBe(404);
    });
  });

  describe('CI and DI', () => {
    it('the same person on another phone and carrier gets the same CI and DI', async () => {
      const token = await h.token();
      const a = await h.certify(token, HONG);
      const b = await h.certify(token, { ...HONG, phone: '011-987-6543', carrier: 'LGT', is_mvno: true, birth: '1990-01-01' });
      expect(b.carrier).toBe('LGT_MVNO');
      expect(b.unique_key).toBe(a.unique_key);
      expect(b.unique_in_site).toBe(a.unique_in_site);
      expect(a.unique_key).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    });

    it('another name, birth date or gender digit gives another CI', async () => {
      const token = await h.token();
      const base = await h.certify(token, HONG);
      const others = [
        await h.certify(token, { ...HONG, name: '홍길순' }),
        await h.certify(token, { ...HONG, birth: '900102' }),
        await h.certify(token, { ...HONG, gender_digit: '5' }),
      ];
      for (const other of others) expect(other.unique_key).not.toBe(base.unique_key);
      expect(new Set(others.map((o) => o.unique_key)).size).toBe(3);
    });

    it('DI depends on the merchant: another sandbox merchant id, or pg danal.{MID}', async () => {
      const other = await new SandboxHarness({ merchantId: 'imp87654321' }).start();
      try {
        const a = await h.certify(await h.token(), HONG);
        const b = await other.certify(await other.token(), HONG);
        expect(b.unique_key).toBe(a.unique_key);
        expect(b.unique_in_site).not.toBe(a.unique_in_site);
        const c = await h.certify(await h.token(), { ...HONG, pg: 'danal.B010000001' });
        expect(c.unique_key).toBe(a.unique_key);
        expect(c.unique_in_site).not.toBe(a.unique_in_site);
        const d = await h.certify(await h.token(), { ...HONG, pg: 'danal' });
        expect(d.unique_in_site).toBe(a.unique_in_site);
      } finally {
        await other.stop();
      }
    });
  });
});
