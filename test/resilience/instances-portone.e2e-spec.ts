/**
 * Two api processes on PortOne V2 (IDENTITY_PROVIDER=portone), one PostgreSQL and one Redis, with
 * the sandbox's V2 as upstream: 50 concurrent signups of one person (half verified by the V2 OTP
 * API, half by the V2 window), split across the processes, give exactly one account.
 */
import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { describeIf, processTestsUnavailable, redisMissing, testRedisUrl } from '../support/availability';
import { deleteKeysUnder, uniquePrefix } from '../support/redis';
import { call, Deployment, type ApiProcess } from '../support/cluster';
import { NO_RATE_LIMITS } from '../support/limits';
import { freshPhone } from '../support/people';

jest.setTimeout(180_000);

const PERSON = { name: '정다은', birth: '19910203', gender_digit: '2', carrier: 'LGT' };
const redisUrl = testRedisUrl!;
const prefixes: string[] = [];

describeIf('instances on V2', processTestsUnavailable(), redisMissing)('two api processes on PortOne V2 sharing Redis and one PostgreSQL', () => {
  let d: Deployment | undefined;
  afterAll(async () => {
    await d?.close();
    for (const p of prefixes) await deleteKeysUnder(redisUrl, p);
  });

  async function twoApis(): Promise<[ApiProcess, ApiProcess]> {
    d = await Deployment.create();
    const prefix = uniquePrefix('instances-v2');
    prefixes.push(prefix);
    const shared = {
      ...NO_RATE_LIMITS,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      IDENTITY_PROVIDER: 'portone',
      PORTONE_BASE_URL: d.sandboxUrl,
      PORTONE_API_SECRET: 'sandbox_portone_api_secret',
      PORTONE_STORE_ID: 'store-sandbox',
      PORTONE_CHANNEL_KEY: 'channel-key-sandbox',
    };
    const [a, b] = await Promise.all([d.startApi(shared, 'api-a'), d.startApi(shared, 'api-b')]);
    return [a, b];
  }

  /** A verification token of PERSON on `api`: by the V2 OTP API, or through the V2 window (a client without cookies). */
  async function verify(api: ApiProcess, byWindow: boolean): Promise<string> {
    const phone = freshPhone();
    if (!byWindow) {
      const requested = await call<{ imp_uid: string }>(api.url, 'POST', '/certifications/otp/request', { ...PERSON, phone });
      expect(requested.status).toBe(201);
      const otp = await d!.latestOtp(phone, requested.body.imp_uid);
      const confirmed = await call<{ verification_token: string; provider: string }>(api.url, 'POST', `/certifications/otp/confirm/${requested.body.imp_uid}`, { otp });
      expect(confirmed.status).toBe(200);
      return confirmed.body.verification_token;
    }
    const headers = { 'x-certification-flow': randomBytes(32).toString('base64url') };
    const started = await call<{ imp_uid: string; provider: string }>(api.url, 'POST', '/certifications/window', undefined, { headers });
    expect(started.status).toBe(201);
    expect(started.body.provider).toBe('portone');
    await d!.control.windowV2({ ...PERSON, phone }, started.body.imp_uid);
    const claimed = await call<{ verification_token: string }>(api.url, 'POST', '/certifications', { imp_uid: started.body.imp_uid }, { headers });
    expect(claimed.status).toBe(200);
    return claimed.body.verification_token;
  }

  it('gives one account to 50 concurrent signups of one person split across the processes; the rest 409 ALREADY_REGISTERED, no 500', async () => {
    const apis = await twoApis();
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => verify(apis[i % 2], i % 4 >= 2)));
    expect(new Set(tokens).size).toBe(50);

    const answers = await Promise.all(tokens.map((token, i) => call(apis[(i + 1) % 2].url, 'POST', '/users', { verification_token: token })));
    const byStatus = answers.reduce<Record<string, number>>((acc, a) => {
      const key = `${a.status} ${(a.body as { error?: { code?: string } })?.error?.code ?? ''}`.trim();
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
    expect(byStatus).toEqual({ '201': 1, '409 ALREADY_REGISTERED': 49 });

    const users = await d!.sql<{ provider: string; n: number }>('SELECT provider, count(*)::int AS n FROM users GROUP BY provider');
    expect(users).toEqual([{ provider: 'portone', n: 1 }]);
    const flows = await d!.sql<{ flow: string; status: string; n: number }>(
      'SELECT flow, status, count(*)::int AS n FROM certifications GROUP BY flow, status ORDER BY flow, status',
    );
    expect(flows.reduce((sum, r) => sum + r.n, 0)).toBe(50);
    expect(flows.filter((r) => r.status === 'used').map((r) => r.n)).toEqual([1]);
    expect(new Set(flows.map((r) => r.flow))).toEqual(new Set(['otp', 'popup']));
    for (const api of apis) expect(api.output()).not.toMatch(/"statusCode":500|INTERNAL_ERROR/);
  });
});
