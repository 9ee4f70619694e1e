/**
 * A capture of the api's log lines (pino through `startTestApp({ logStream })`) over a whole
 * signup: every line is JSON, each request's lines carry the id its answer's x-request-id
 * carries, and no personal data, token or secret appears anywhere in the capture.
 *
 * This file boots ONE app (nestjs-pino keeps one root logger per process; see
 * apps/api/src/observability/observability.module.ts).
 */
import request from 'supertest';
import { IamportClient } from '@app/iamport';
import { startTestApp, type TestApp } from '../support/app';
import { LineCapture } from '../support/line-capture';
import { addFault, clearFaults } from '../support/sandbox-control';

const PERSON = {
  name: '김민준',
  phone: '010-4821-7396',
  birth: '1990-03-15',
  gender_digit: '1',
  carrier: 'SKT',
};
const PHONE_DIGITS = '01048217396';
const ADMIN_SECRET = 'adm_live_secret_value_4821';

type Line = Record<string, unknown>;

describe('JSON log lines over a signup', () => {
  let t: TestApp;
  const capture = new LineCapture();
  /** Every value that must never reach a log line. */
  const secrets: string[] = [
    PERSON.name,
    PERSON.phone,
    PHONE_DIGITS,
    '19900315',
    '900315',
    '1990-03-15',
    ADMIN_SECRET,
    'sandbox_imp_secret',
  ];
  const answered: Array<{ id: string; status: number; what: string }> = [];

  function remember(res: request.Response, what: string): request.Response {
    const id = res.headers['x-request-id'];
    expect(typeof id).toBe('string');
    answered.push({ id, status: res.status, what });
    return res;
  }

  beforeAll(async () => {
    t = await startTestApp({ logStream: capture });
  });
  afterAll(async () => t?.close());

  it('walks OTP request, a wrong OTP, the confirmation and the signup', async () => {
    const requested = remember(await request(t.http).post('/certifications/otp/request').send(PERSON), 'otp request');
    expect(requested.status).toBe(201);
    const impUid = requested.body.imp_uid as string;

    const inbox = (await (await fetch(`${t.sandboxUrl}/__sandbox/inbox?phone=${PHONE_DIGITS}`)).json()) as {
      messages: Array<{ imp_uid: string; otp: string }>;
    };
    const otp = inbox.messages.find((m) => m.imp_uid === impUid)!.otp;
    const wrong = otp === '000000' ? '111111' : '000000';
    secrets.push(otp);

    const mismatch = remember(await request(t.http).post(`/certifications/otp/confirm/${impUid}`).send({ otp: wrong }), 'wrong otp');
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.code).toBe('OTP_MISMATCH');
    expect(mismatch.body.request_id).toBe(mismatch.headers['x-request-id']);

    const confirmed = remember(await request(t.http).post(`/certifications/otp/confirm/${impUid}`).send({ otp }), 'confirm');
    expect(confirmed.status).toBe(200);
    const token = confirmed.body.verification_token as string;
    secrets.push(token);

    const signup = remember(
      await request(t.http).post('/users').set('X-Request-Id', 'ops-log-signup-1').send({ verification_token: token }),
      'signup',
    );
    expect(signup.status).toBe(201);
    expect(signup.headers['x-request-id']).toBe('ops-log-signup-1');

    // The person's CI and DI, as upstream holds them (read from the sandbox directly).
    const tokenRes = (await (
      await fetch(`${t.sandboxUrl}/users/getToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ imp_key: 'sandbox_imp_key', imp_secret: 'sandbox_imp_secret' }),
      })
    ).json()) as { response: { access_token: string } };
    const cert = (await (
      await fetch(`${t.sandboxUrl}/certifications/${impUid}`, { headers: { Authorization: `Bearer ${tokenRes.response.access_token}` } })
    ).json()) as { response: { unique_key: string; unique_in_site: string } };
    secrets.push(cert.response.unique_key, cert.response.unique_in_site, tokenRes.response.access_token);
  });

  it('logs an admin lookup by phone and CI without the query values or the Authorization header', async () => {
    remember(
      await request(t.http).get(`/admin/certifications?phone=${PHONE_DIGITS}&limit=5`).set('Authorization', `Bearer ${ADMIN_SECRET}`),
      'admin by phone',
    );
    remember(await request(t.http).get(`/admin/users?ci=${encodeURIComponent('ci-value-never-logged')}`), 'admin by ci');
    secrets.push('ci-value-never-logged');
  });

  it("writes a service's Logger lines with the id of the request they belong to (an upstream failure)", async () => {
    await addFault(t.sandboxUrl, { path_prefix: '/certifications/otp/request', status: 500, times: 1 });
    const res = remember(await request(t.http).post('/certifications/otp/request').send({ ...PERSON, phone: '010-4821-0000' }), 'upstream failure');
    secrets.push('01048210000', '010-4821-0000');
    expect(res.status).toBe(502);
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
    const lines = capture.json().filter((l) => l.request_id === res.headers['x-request-id']);
    expect(lines.some((l) => l.level === 'warn' && l.context === 'CertificationService')).toBe(true);
  });

  it('writes, inside a request, the Nest logger lines with that request id (a failed readiness check)', async () => {
    const client = t.app.get(IamportClient);
    await addFault(t.sandboxUrl, { path_prefix: '/', status: 500 });
    try {
      for (let i = 0; i < 5 && client.breakerState() !== 'open'; i++) {
        await expect(client.getCertification('imp_log_probe')).rejects.toThrow();
      }
      const ready = remember(await request(t.http).get('/health/ready'), 'readiness');
      expect(ready.status).toBe(503);
      const lines = capture.json().filter((l) => l.request_id === ready.headers['x-request-id']);
      expect(lines.some((l) => l.level === 'error' && String(l.msg).includes('Health Check has failed'))).toBe(true);
    } finally {
      await clearFaults(t.sandboxUrl);
    }
  });

  it('every captured line is JSON; each answer has its one request line with its id and status', () => {
    const lines: Line[] = capture.json();
    expect(lines.length).toBeGreaterThan(answered.length);
    for (const line of lines) {
      expect(typeof line.level).toBe('string');
      expect(typeof line.time).toBe('string');
      expect(typeof line.msg).toBe('string');
    }
    for (const { id, status, what } of answered.filter((a) => a.what !== 'readiness')) {
      // one line per answer: "request completed" (info), or "request failed" (error) for a 5xx
      const [msg, level] = status >= 500 ? ['request failed', 'error'] : ['request completed', 'info'];
      const done = lines.filter((l) => l.request_id === id && l.msg === msg && l.level === level);
      expect({ what, count: done.length }).toEqual({ what, count: 1 });
      expect(done[0].req).toMatchObject({ id });
      expect(done[0].res).toEqual({ statusCode: status });
      expect(typeof done[0].responseTime).toBe('number');
      // no headers, no body, no client address in the request object
      expect(Object.keys(done[0].req as object).sort()).toEqual(['id', 'method', 'url']);
    }
    // boot lines (outside any request) went through pino too
    expect(lines.some((l) => l.request_id === undefined && typeof l.context === 'string')).toBe(true);
    // the admin lookup's URL kept its harmless parameters and lost the personal ones
    const adminLine = lines.find((l) => String((l.req as { url?: string } | undefined)?.url ?? '').startsWith('/admin/certifications'));
    expect((adminLine!.req as { url: string }).url).toBe('/admin/certifications?phone=[REDACTED]&limit=5');
  });

  it('no personal data, token or secret appears in any line', () => {
    const text = capture.text();
    expect(text.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(text).not.toMatch(/authorization/i);
  });
});
