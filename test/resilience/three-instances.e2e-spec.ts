/**
 * THREE api processes (node dist/apps/api/src/main.js) on one PostgreSQL database and one Redis,
 * the sandbox as upstream, booted together once for the whole file (docs/scaling.md):
 * - the per-phone and per-IP OTP request limits hold across the three (counters in Redis): the
 *   request over the limit is refused whichever process gets it, and the upstream sent exactly
 *   the allowed SMS;
 * - the upstream token: one getToken serves all three (the token store shares it in Redis);
 * - one account per person: 30 concurrent signups of one person split across the three.
 */
import { jest } from '@jest/globals';
import { describeIf, processTestsUnavailable, redisMissing, testRedisUrl } from '../support/availability';
import { call, Deployment, type ApiAnswer, type ApiProcess } from '../support/cluster';
import { freshPhone } from '../support/people';
import { deleteKeysUnder, keysUnder, uniquePrefix } from '../support/redis';

jest.setTimeout(120_000);

const PERSON = { name: '박서준', birth: '19910305', gender_digit: '1', carrier: 'SKT' };
const redisUrl = testRedisUrl!;
const prefix = uniquePrefix('three');

type ErrorBody = { error?: { code?: string; details?: Record<string, unknown> } };

describeIf('three instances', processTestsUnavailable(), redisMissing)('three api processes sharing Redis and one PostgreSQL', () => {
  let d: Deployment;
  let apis: ApiProcess[];
  // Every request names its client address (TRUST_PROXY): each check gets addresses of its own.
  let nextIp = 10;
  const ip = () => `198.51.100.${nextIp++}`;
  const otpRequest = (api: ApiProcess, phone: string, from: string) =>
    call<{ imp_uid: string } & ErrorBody>(api.url, 'POST', '/certifications/otp/request', { ...PERSON, phone }, { headers: { 'x-forwarded-for': from } });

  beforeAll(async () => {
    d = await Deployment.create();
    const env = {
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      TRUST_PROXY: 'true',
      OTP_SEND_LIMIT_PER_PHONE: '5',
      OTP_SEND_LIMIT_PER_IP: '7',
      OTP_CONFIRM_LIMIT_PER_IP: '100000',
      SIGNUP_LIMIT_PER_IP: '100000',
    };
    // booted together: the migrations run once, under the advisory lock
    apis = await Promise.all(['api-a', 'api-b', 'api-c'].map((label) => d.startApi(env, label)));
  });
  afterAll(async () => {
    await d?.close();
    await deleteKeysUnder(redisUrl, prefix);
  });

  it('takes one upstream token for all three: the first process fetches it, the others read it from Redis', async () => {
    expect((await otpRequest(apis[0], freshPhone(), ip())).status).toBe(201);
    expect((await d.stats()).calls.getToken).toBe(1);
    expect(await keysUnder(redisUrl, `${prefix}iamport:token`)).toEqual([`${prefix}iamport:token`]);
    for (const api of apis.slice(1)) expect((await otpRequest(api, freshPhone(), ip())).status).toBe(201);
    expect((await d.stats()).calls.getToken).toBe(1);
  });

  it('refuses the 6th OTP request for one phone whichever process gets it, after exactly 5 SMS', async () => {
    const before = await d.stats();
    const phone = freshPhone();
    const answers: ApiAnswer<ErrorBody>[] = [];
    for (let i = 0; i < 6; i++) answers.push(await otpRequest(apis[i % 3], phone, ip()));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 429]);
    expect(answers[5].body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'phone', limit: 5 } });
    // and on each of the three, from yet another address
    for (const api of apis) expect((await otpRequest(api, phone, ip())).status).toBe(429);
    const after = await d.stats();
    expect(after.sms_sent - before.sms_sent).toBe(5);
    expect(after.calls.requestOtp - before.calls.requestOtp).toBe(5);
  });

  it('refuses the 8th OTP request from one address across the three processes (limit 7), other addresses still served', async () => {
    const from = ip();
    const answers: ApiAnswer<ErrorBody>[] = [];
    for (let i = 0; i < 8; i++) answers.push(await otpRequest(apis[i % 3], freshPhone(), from));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201, 201, 429]);
    expect(answers[7].body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'ip' } });
    for (const api of apis) expect((await otpRequest(api, freshPhone(), from)).status).toBe(429);
    expect((await otpRequest(apis[2], freshPhone(), ip())).status).toBe(201);
  });

  it('gives one account to 30 concurrent signups of one person split across the three', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const api = apis[i % 3];
        const phone = freshPhone();
        const requested = await otpRequest(api, phone, ip());
        expect(requested.status).toBe(201);
        const otp = await d.latestOtp(phone, requested.body.imp_uid);
        // confirmed on another process than the one that sent it
        const confirmed = await call<{ verification_token: string }>(apis[(i + 1) % 3].url, 'POST', `/certifications/otp/confirm/${requested.body.imp_uid}`, { otp });
        expect(confirmed.status).toBe(200);
        return confirmed.body.verification_token;
      }),
    );
    expect(new Set(tokens).size).toBe(30);
    const answers = await Promise.all(tokens.map((token, i) => call<ErrorBody>(apis[(i + 2) % 3].url, 'POST', '/users', { verification_token: token })));
    const byStatus: Record<string, number> = {};
    for (const a of answers) {
      const key = `${a.status} ${a.body?.error?.code ?? ''}`.trim();
      byStatus[key] = (byStatus[key] ?? 0) + 1;
    }
    expect(byStatus).toEqual({ '201': 1, '409 ALREADY_REGISTERED': 29 });
    const [{ users }] = await d.sql<{ users: number }>('SELECT count(*)::int AS users FROM users');
    expect(users).toBe(1);
    const [{ used }] = await d.sql<{ used: number }>('SELECT count(*)::int AS used FROM verification_tokens WHERE used_at IS NOT NULL');
    expect(used).toBe(1);
    // still one upstream token for the whole file
    expect((await d.stats()).calls.getToken).toBe(1);
  });
});
