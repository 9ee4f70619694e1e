/**
 * The cap of wrong OTPs per phone per day (issue 13, item 6) in the store the other limits use:
 * through Redis, one count for every instance of a deployment.
 */
import type { INestApplication } from '@nestjs/common';
import { itIf, redisMissing, testRedisUrl } from '../support/availability';
import { deleteKeysUnder, keysUnder, uniquePrefix } from '../support/redis';
import { startLimiterApp } from '../support/rate-limit-app';
import { SubjectRateLimiter } from '../../apps/api/src/rate-limit/subject-rate-limiter';

const itWithRedis = itIf('the failure cap in Redis', redisMissing);

describe('wrong OTPs per phone per day, shared through Redis', () => {
  const apps: INestApplication[] = [];
  const prefix = uniquePrefix('otp-failures');
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    if (testRedisUrl) await deleteKeysUnder(testRedisUrl, prefix);
  });

  itWithRedis('counts the failures of one phone across two instances, refuses its confirmations at the cap, and peeks without counting', async () => {
    const env = { REDIS_URL: testRedisUrl!, REDIS_KEY_PREFIX: prefix, OTP_FAILURE_LIMIT_PER_PHONE_PER_DAY: '3' };
    for (let i = 0; i < 2; i++) apps.push(await startLimiterApp({ adapter: 'fastify', env }));
    const [a, b] = apps.map((app) => app.get(SubjectRateLimiter));
    const phone = { phoneBidx: 'f'.repeat(64) };

    for (let i = 0; i < 5; i++) await expect(b.beforeOtpConfirm(phone)).resolves.toBeUndefined(); // checks count nothing
    await a.afterOtpMismatch(phone);
    await b.afterOtpMismatch(phone);
    await expect(a.beforeOtpConfirm(phone)).resolves.toBeUndefined();
    await a.afterOtpMismatch(phone);

    for (const limiter of [a, b]) {
      const refused = await limiter.beforeOtpConfirm(phone).catch((e: unknown) => e);
      expect(refused).toMatchObject({
        code: 'RATE_LIMITED',
        status: 429,
        details: { scope: 'phone', limit: 3, window_seconds: 86400, counts: 'failed_confirmations' },
      });
      expect((refused as { retryAfterSeconds?: number }).retryAfterSeconds).toBeGreaterThan(86_000);
    }
    await expect(a.beforeOtpConfirm({ phoneBidx: 'e'.repeat(64) })).resolves.toBeUndefined();

    const keys = await keysUnder(testRedisUrl!, prefix);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/rl:otp-failures-phone:[0-9a-f]{64}$/);
    expect(keys[0]).not.toContain('f'.repeat(64));
  });
});
