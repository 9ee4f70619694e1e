import { request as httpRequest, Agent } from 'node:http';
import { MESSAGES } from '../../apps/iamport-sandbox/src/messages';
import { IamportSandbox, sandboxOptionsFromEnv } from '../../apps/iamport-sandbox/src/sandbox';
import { HONG, SandboxHarness, type Certification } from '../support/sandbox-harness';

/** Lifecycle, options, generic HTTP behaviour and the popup / clock / inbox control paths. */
describe('iamport sandbox: server and control paths', () => {
  const h = new SandboxHarness();

  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.stop();
  });
  beforeEach(async () => {
    await h.reset();
  });

  describe('lifecycle', () => {
    it('listen(0) resolves to the base URL and url returns it', async () => {
      const sandbox = new IamportSandbox();
      expect(() => sandbox.url).toThrow();
      const url = await sandbox.listen(0);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.url).toBe(url);
      await expect(sandbox.listen(0)).rejects.toThrow();
      await sandbox.close();
      expect(() => sandbox.url).toThrow();
      await sandbox.close(); // idempotent
    });

    it('close() ends keep-alive connections and delayed answers at once', async () => {
      const sandbox = new IamportSandbox();
      const url = await sandbox.listen(0);
      const agent = new Agent({ keepAlive: true });
      const get = (path: string) =>
        new Promise<number>((resolve, reject) => {
          const req = httpRequest(`${url}${path}`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end();
        });
      try {
        expect(await get('/__sandbox/health')).toBe(200);
        await fetch(`${url}/__sandbox/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ path_prefix: '/certifications/', latency_ms: 60_000 }),
        });
        const slow = get('/certifications/imp_000000000000');
        const settled = slow.then(
          () => 'answered',
          () => 'failed',
        );
        await new Promise((r) => setTimeout(r, 50));
        const started = Date.now();
        await sandbox.close();
        expect(Date.now() - started).toBeLessThan(1000);
        expect(await settled).toBe('failed');
      } finally {
        agent.destroy();
      }
    });

    it('sandboxOptionsFromEnv reads the SANDBOX_* variables with defaults', () => {
      expect(sandboxOptionsFromEnv({})).toEqual({
        impKey: 'sandbox_imp_key',
        impSecret: 'sandbox_imp_secret',
        otpTtlSeconds: 180,
        merchantId: 'imp00000000',
      });
      expect(
        sandboxOptionsFromEnv({
          SANDBOX_IMP_KEY: 'k',
          SANDBOX_IMP_SECRET: 's',
          SANDBOX_OTP_TTL_SECONDS: '60',
          SANDBOX_MERCHANT_ID: 'imp11111111',
        }),
      ).toEqual({ impKey: 'k', impSecret: 's', otpTtlSeconds: 60, merchantId: 'imp11111111' });
      expect(() => sandboxOptionsFromEnv({ SANDBOX_OTP_TTL_SECONDS: 'soon' })).toThrow(/SANDBOX_OTP_TTL_SECONDS/);
      expect(() => sandboxOptionsFromEnv({ SANDBOX_OTP_TTL_SECONDS: '0' })).toThrow();
    });

    it('the default credentials are the env defaults', async () => {
      const sandbox = new IamportSandbox();
      const url = await sandbox.listen(0);
      try {
        const res = await fetch(`${url}/users/getToken`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ imp_key: 'sandbox_imp_key', imp_secret: 'sandbox_imp_secret' }),
        });
        expect(res.status).toBe(200);
      } finally {
        await sandbox.close();
      }
    });

    it('the logger gets method, path and status only: no query string, no body', async () => {
      const lines: string[] = [];
      const sandbox = new IamportSandbox({ logger: { log: (m) => lines.push(m) } });
      const url = await sandbox.listen(0);
      try {
        await fetch(`${url}/__sandbox/inbox?phone=01012345678`);
        await fetch(`${url}/users/getToken`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ imp_key: 'sandbox_imp_key', imp_secret: 'sandbox_imp_secret' }),
        });
      } finally {
        await sandbox.close();
      }
      expect(lines).toEqual(['GET /__sandbox/inbox 200', 'POST /users/getToken 200']);
    });

    it('the logged path names a verification id instead of showing it (V1 imp_uid, V2 identityVerificationId)', async () => {
      const lines: string[] = [];
      const sandbox = new IamportSandbox({ logger: { log: (m) => lines.push(m) } });
      const url = await sandbox.listen(0);
      const ids = ['imp_123456789012', 'identity-verification-0f6c2b1e-8d8e-4b4a-9f57-2f3c1a9b7e55'];
      try {
        await fetch(`${url}/certifications/${ids[0]}`);
        await fetch(`${url}/certifications/otp/confirm/${ids[0]}`, { method: 'POST' });
        await fetch(`${url}/identity-verifications/${ids[1]}`);
        await fetch(`${url}/identity-verifications/${ids[1]}/confirm`, { method: 'POST' });
        await fetch(`${url}/certifications/otp/request`, { method: 'POST' });
      } finally {
        await sandbox.close();
      }
      expect(lines.map((line) => line.replace(/ \d{3}$/, ''))).toEqual([
        'GET /certifications/:imp_uid',
        'POST /certifications/otp/confirm/:imp_uid',
        'GET /identity-verifications/:id',
        'POST /identity-verifications/:id/confirm',
        'POST /certifications/otp/request',
      ]);
      for (const id of ids) expect(lines.join('\n')).not.toContain(id);
    });

    it('a custom otpTtlSeconds applies', async () => {
      const short = await new SandboxHarness({ otpTtlSeconds: 30 }).start();
      try {
        const token = await short.token();
        const impUid = (await short.requestOtp(token)).body.response!.imp_uid;
        const [sms] = await short.inbox(HONG.phone);
        await short.advanceClock(35);
        const res = await short.upstream('POST', `/certifications/otp/confirm/${impUid}`, { token, json: { otp: sms.otp } });
        expect(res.status).toBe(400);
        expect(res.body.message).toBe(MESSAGES.otpExpired);
      } finally {
        await short.stop();
      }
    });
  });

  describe('generic HTTP behaviour', () => {
    it.each([
      ['GET', '/'],
      ['GET', '/payments/imp_1'],
      ['GET', '/certifications/otp/request'],
      ['PUT', '/certifications/imp_000000000000'],
      ['GET', '/__sandbox/nothing'],
    ])('%s %s answers the 404 envelope', async (method, path) => {
      const res = await h.upstream(method, path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.notFoundPath, response: null });
    });

    it('answers JSON with a charset', async () => {
      const res = await fetch(`${h.base}/__sandbox/stats`);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    });

    it('a trailing slash is the same path', async () => {
      const token = await h.token();
      const res = await h.upstream('POST', '/certifications/otp/request/', { token, json: HONG });
      expect(res.status).toBe(200);
    });

    it('bad JSON on a control path is a 400 envelope', async () => {
      const res = await h.upstream('POST', '/__sandbox/faults', { raw: 'nope' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.badJson, response: null });
    });

    it('a body over 64 KiB is refused with 413', async () => {
      const res = await h.upstream('POST', '/users/getToken', { json: { imp_key: 'x'.repeat(70_000) } });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.bodyTooLarge, response: null });
    });
  });

  describe('POST /__sandbox/certifications (popup flow)', () => {
    it('creates a completed certification for the person, with an origin URL', async () => {
      const res = await h.call<{ imp_uid: string }>('POST', '/__sandbox/certifications', {
        json: { name: '이몽룡', birth: '19880311', gender_digit: '1', phone: '01077778888', carrier: 'LGT', merchant_uid: 'm-1' },
      });
      expect(res.status).toBe(200);
      expect(res.body.imp_uid).toMatch(/^imp_\d{12}$/);
      const token = await h.token();
      const cert = (await h.upstream<Certification>('GET', `/certifications/${res.body.imp_uid}`, { token })).body.response!;
      expect(cert).toMatchObject({
        imp_uid: res.body.imp_uid,
        merchant_uid: 'm-1',
        pg_provider: 'danal',
        name: '이몽룡',
        gender: 'male',
        birthday: '1988-03-11',
        foreigner: false,
        phone: '01077778888',
        carrier: 'LGT',
        certified: true,
      });
      expect(cert.origin).toMatch(/^https?:\/\//);
      expect(cert.certified_at).toBeGreaterThan(0);
      expect(cert.unique_key).toHaveLength(88);
      expect(cert.unique_in_site).toHaveLength(44);
      // no SMS in the popup flow
      expect(await h.inbox('01077778888')).toEqual([]);
    });

    it('gives the same CI as the OTP flow for the same person', async () => {
      const token = await h.token();
      const otp = await h.certify(token, HONG);
      const res = await h.call<{ imp_uid: string }>('POST', '/__sandbox/certifications', {
        json: { ...HONG, birth: '19900101', phone: '01033334444', is_mvno: true },
      });
      const popup = (await h.upstream<Certification>('GET', `/certifications/${res.body.imp_uid}`, { token })).body.response!;
      expect(popup.unique_key).toBe(otp.unique_key);
      expect(popup.unique_in_site).toBe(otp.unique_in_site);
      expect(popup.carrier).toBe('SKT_MVNO');
    });

    it('certified: false leaves it uncertified, and confirm cannot complete it', async () => {
      const res = await h.call<{ imp_uid: string }>('POST', '/__sandbox/certifications', {
        json: { ...HONG, birth: '19900101', certified: false },
      });
      const token = await h.token();
      const cert = (await h.upstream<Certification>('GET', `/certifications/${res.body.imp_uid}`, { token })).body.response!;
      expect(cert).toMatchObject({ certified: false, certified_at: 0, unique_key: null, unique_in_site: null });
      const confirm = await h.upstream('POST', `/certifications/otp/confirm/${res.body.imp_uid}`, { token, json: { otp: '123456' } });
      expect(confirm.status).toBe(400);
      expect(confirm.body.message).toBe(MESSAGES.notOtpCertification);
    });

    it('confirm on a completed popup certification is "already certified"', async () => {
      const res = await h.call<{ imp_uid: string }>('POST', '/__sandbox/certifications', { json: { ...HONG, birth: '19900101' } });
      const token = await h.token();
      const confirm = await h.upstream('POST', `/certifications/otp/confirm/${res.body.imp_uid}`, { token, json: { otp: '123456' } });
      expect(confirm.status).toBe(400);
      expect(confirm.body.message).toBe(MESSAGES.alreadyCertified);
    });

    it('validates the person as the OTP request does (400)', async () => {
      const res = await h.upstream('POST', '/__sandbox/certifications', { json: { ...HONG, birth: '19901301' } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: -1, message: MESSAGES.invalidBirth, response: null });
    });

    it('accepts a form body', async () => {
      const res = await h.call<{ imp_uid: string }>('POST', '/__sandbox/certifications', {
        form: { name: '성춘향', birth: '20020202', gender_digit: '4', phone: '010-4444-5555', carrier: 'KT', certified: 'true' },
      });
      expect(res.status).toBe(200);
      const token = await h.token();
      const cert = (await h.upstream<Certification>('GET', `/certifications/${res.body.imp_uid}`, { token })).body.response!;
      expect(cert).toMatchObject({ gender: 'female', birthday: '2002-02-02', certified: true });
    });
  });

  describe('clock and inbox control paths', () => {
    it('GET /__sandbox/clock answers now; POST advances it', async () => {
      const before = (await h.call<{ now: number }>('GET', '/__sandbox/clock')).body.now;
      expect(Math.abs(before - Date.now() / 1000)).toBeLessThan(5);
      const after = await h.advanceClock(3600);
      expect(after - before).toBeGreaterThanOrEqual(3600);
      expect(after - before).toBeLessThan(3605);
      const bad = await h.upstream('POST', '/__sandbox/clock', { json: { advance_seconds: -5 } });
      expect(bad.status).toBe(400);
      const missing = await h.upstream('POST', '/__sandbox/clock', { json: {} });
      expect(missing.status).toBe(400);
    });

    it('the clock drives sent_at and certified_at', async () => {
      const now = await h.advanceClock(86_400);
      const token = await h.token();
      const cert = await h.certify(token);
      const [sms] = await h.inbox(HONG.phone);
      expect(sms.sent_at).toBeGreaterThanOrEqual(now);
      expect(cert.certified_at).toBeGreaterThanOrEqual(now);
      expect(cert.certified_at - sms.sent_at).toBeLessThan(5);
    });

    it('GET /__sandbox/inbox without a phone is a 400', async () => {
      const res = await h.upstream('GET', '/__sandbox/inbox');
      expect(res.status).toBe(400);
    });
  });
});
