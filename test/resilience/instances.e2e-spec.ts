/**
 * Several api processes (node dist/apps/api/src/main.js) on one PostgreSQL database and one
 * Redis, with the sandbox as upstream:
 * - the per-phone OTP limit holds across the processes: the 6th request is refused with 429 and
 *   Retry-After, and the upstream sent exactly 5 SMS;
 * - 50 concurrent signups of one person split across the processes give exactly one account.
 */
import { jest } from '@jest/globals';
import { describeIf, processTestsUnavailable, redisMissing, testRedisUrl } from '../support/availability';
import { deleteKeysUnder, uniquePrefix } from '../support/redis';
import { call, Deployment, type ApiProcess } from '../support/cluster';
import { NO_RATE_LIMITS } from '../support/limits';
import { freshPhone } from '../support/people';

jest.setTimeout(180_000);

const PERSON = { name: '이영희', birth: '19880412', gender_digit: '2', carrier: 'KT' };

const redisUrl = testRedisUrl!;
const prefixes: string[] = [];

describeIf('instances', processTestsUnavailable(), redisMissing)('two api processes sharing Redis and one PostgreSQL', () => {
  afterAll(async () => {
    for (const p of prefixes) await deleteKeysUnder(redisUrl, p);
  });
  let d: Deployment | undefined;
  afterEach(async () => {
    await d?.close();
    d = undefined;
  });

  async function twoApis(env: Record<string, string>): Promise<[ApiProcess, ApiProcess]> {
    d = await Deployment.create();
    const prefix = uniquePrefix('instances');
    prefixes.push(prefix);
    const shared = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, ...env };
    // boot together: migrations run once, under the advisory lock
    const [a, b] = await Promise.all([d.startApi(shared, 'api-a'), d.startApi(shared, 'api-b')]);
    return [a, b];
  }

  it('refuses the 6th OTP request for one phone within 10 minutes, whichever process gets it; 5 SMS sent', async () => {
    const apis = await twoApis({ OTP_SEND_LIMIT_PER_PHONE: '5', OTP_SEND_LIMIT_PER_IP: '20' });
    const phone = freshPhone();
    const spelled = [phone, `${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`, `+82 ${phone.slice(1)}`];
    const answers = [];
    for (let i = 0; i < 6; i++) {
      answers.push(await call(apis[i % 2].url, 'POST', '/certifications/otp/request', { ...PERSON, phone: spelled[i % 3] }));
    }
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 429]);
    const refused = answers[5];
    expect(refused.body).toMatchObject({ error: { code: 'RATE_LIMITED', details: { scope: 'phone', limit: 5, window_seconds: 600 } } });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    // and again on the other process
    const again = await call(apis[0].url, 'POST', '/certifications/otp/request', { ...PERSON, phone });
    expect(again.status).toBe(429);

    const stats = await d!.stats();
    expect(stats.sms_sent).toBe(5);
    expect(stats.calls.requestOtp).toBe(5);
    // another number is still served
    expect((await call(apis[1].url, 'POST', '/certifications/otp/request', { ...PERSON, phone: freshPhone() })).status).toBe(201);
    // both processes used one upstream token (shared through Redis)
    expect((await d!.stats()).calls.getToken).toBe(1);
  });

  it('gives one account to 50 concurrent signups of one person split across the processes', async () => {
    const apis = await twoApis(NO_RATE_LIMITS);
    // 50 verifications of the same person (same name, birth, gender digit: same CI) on 50 phones
    const tokens: string[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const api = apis[i % 2];
        const phone = freshPhone();
        const requested = await call<{ imp_uid: string }>(api.url, 'POST', '/certifications/otp/request', { ...PERSON, phone });
        expect(requested.status).toBe(201);
        const otp = await d!.latestOtp(phone, requested.body.imp_uid);
        const confirmed = await call<{ verification_token: string }>(api.url, 'POST', `/certifications/otp/confirm/${requested.body.imp_uid}`, { otp });
        expect(confirmed.status).toBe(200);
        tokens.push(confirmed.body.verification_token);
      }),
    );
    expect(new Set(tokens).size).toBe(50);

    const answers = await Promise.all(tokens.map((token, i) => call(apis[i % 2].url, 'POST', '/users', { verification_token: token })));
    const byStatus = answers.reduce<Record<string, number>>((acc, a) => {
      const key = `${a.status} ${(a.body as { error?: { code?: string } })?.error?.code ?? ''}`.trim();
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
    expect(byStatus).toEqual({ '201': 1, '409 ALREADY_REGISTERED': 49 });

    const [{ users }] = await d!.sql<{ users: number }>('SELECT count(*)::int AS users FROM users');
    expect(users).toBe(1);
    const statuses = await d!.sql<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM certifications GROUP BY status ORDER BY status');
    expect(statuses).toEqual([
      { status: 'used', n: 1 },
      { status: 'verified', n: 49 },
    ]);
    const [{ used }] = await d!.sql<{ used: number }>('SELECT count(*)::int AS used FROM verification_tokens WHERE used_at IS NOT NULL');
    expect(used).toBe(1);
    // the account points at the one used verification
    const [link] = await d!.sql<{ ok: boolean }>(
      `SELECT bool_and(c.status = 'used') AS ok FROM users u JOIN certifications c ON c.id = u.certification_id`,
    );
    expect(link.ok).toBe(true);
  });
});
