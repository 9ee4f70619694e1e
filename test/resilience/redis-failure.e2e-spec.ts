/**
 * RATE_LIMIT_ON_REDIS_FAILURE with real processes: a redis-server this test starts on a free
 * port, api processes (node dist/apps/api/src/main.js) using it, then the Redis killed:
 * - default: OTP sends are refused (503 RATE_LIMIT_UNAVAILABLE, Retry-After, the error envelope,
 *   no SMS sent), the other limits count in the instance's memory;
 * - `local`: every limit counts in memory (and still holds per instance);
 * - `fail-closed`: every limited route is refused;
 * - /health/ready says Redis is down and which mode applies; /metrics counts the decisions per
 *   mode; once Redis is back, OTP sends go through again.
 */
import { jest } from '@jest/globals';
import { describeIf, processTestsUnavailable } from '../support/availability';
import { call, Deployment, type ApiProcess } from '../support/cluster';
import { freshPhone } from '../support/people';
import { OwnRedis, redisServerUnavailable } from '../support/redis-server';

jest.setTimeout(180_000);

const PERSON = { name: '박서준', birth: '19910205', gender_digit: '1', carrier: 'KT' };

const describeWithProcesses = describeIf('the Redis failure tests', processTestsUnavailable(), redisServerUnavailable());

async function decisions(api: ApiProcess): Promise<Record<string, number>> {
  const res = await fetch(`${api.url}/metrics`);
  const text = await res.text();
  const out: Record<string, number> = {};
  for (const match of text.matchAll(/^rate_limit_redis_failure_decisions_total\{mode="([a-z-]+)"\} (\d+)$/gm)) out[match[1]] = Number(match[2]);
  return out;
}

const otp = (api: ApiProcess, phone: string) => call(api.url, 'POST', '/certifications/otp/request', { ...PERSON, phone });
/** A limited route other than the OTP send: an empty signup (counted, then refused by validation). */
const signup = (api: ApiProcess) => call(api.url, 'POST', '/users', {});

describeWithProcesses('rate limits while Redis is down (a redis-server of the test, then killed)', () => {
  let redis: OwnRedis;
  let d: Deployment;
  let byDefault: ApiProcess;
  let local: ApiProcess;
  let failClosed: ApiProcess;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    d = await Deployment.create();
    const env = (mode?: string) => ({
      REDIS_URL: redis.url,
      OTP_SEND_LIMIT_PER_PHONE: '2',
      OTP_SEND_LIMIT_PER_IP: '1000',
      ...(mode ? { RATE_LIMIT_ON_REDIS_FAILURE: mode } : {}),
    });
    byDefault = await d.startApi(env(), 'api-default');
    [local, failClosed] = await Promise.all([d.startApi(env('local'), 'api-local'), d.startApi(env('fail-closed'), 'api-fail-closed')]);
  });
  afterAll(async () => {
    await d?.close();
    await redis?.stop();
  });

  it('works normally while Redis answers: no decision taken without it', async () => {
    expect((await otp(byDefault, freshPhone())).status).toBe(201);
    expect((await signup(local)).status).toBe(400);
    const ready = await call(byDefault.url, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ info: { redis: { status: 'up' } } });
    expect(await decisions(byDefault)).toEqual({ 'fail-closed': 0, local: 0 });
  });

  it('by default refuses OTP sends with 503 RATE_LIMIT_UNAVAILABLE once Redis is gone, sends no SMS, and counts the other limits locally', async () => {
    await redis.stop();
    const smsBefore = (await d.stats()).sms_sent;
    const refused = await otp(byDefault, freshPhone());
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({
      error: { code: 'RATE_LIMIT_UNAVAILABLE', message: expect.any(String), details: { reason: 'redis_unavailable' } },
      request_id: refused.headers.get('x-request-id'),
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.ms).toBeLessThan(2_000);
    expect((await d.stats()).sms_sent).toBe(smsBefore);

    const other = await signup(byDefault);
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });

    expect(await decisions(byDefault)).toEqual({ 'fail-closed': 1, local: 1 });
  });

  it('says so in /health/ready: Redis down, and what the limits do meanwhile', async () => {
    const ready = await call(byDefault.url, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      error: { redis: { status: 'down', message: 'Redis does not answer', rate_limits: { otp_send: 'fail-closed', other: 'local' } } },
    });
    expect(JSON.stringify(ready.body)).not.toContain(String(redis.port));
    const readyLocal = await call(local.url, 'GET', '/health/ready');
    expect(readyLocal.body).toMatchObject({ error: { redis: { status: 'down', rate_limits: { otp_send: 'local', other: 'local' } } } });
  });

  it('RATE_LIMIT_ON_REDIS_FAILURE=local: OTP sends are counted in the instance\'s memory, and the limit still holds there', async () => {
    const phone = freshPhone();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await otp(local, phone)).status);
    expect(statuses).toEqual([201, 201, 429]);
    // two limits per OTP request (per IP, then per phone)
    expect(await decisions(local)).toEqual({ 'fail-closed': 0, local: 6 });
  });

  it('RATE_LIMIT_ON_REDIS_FAILURE=fail-closed: every limited route is refused', async () => {
    const refused = await signup(failClosed);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { code: 'RATE_LIMIT_UNAVAILABLE' } });
    expect((await otp(failClosed, freshPhone())).status).toBe(503);
    expect(await decisions(failClosed)).toEqual({ 'fail-closed': 2, local: 0 });
    const ready = await call(failClosed.url, 'GET', '/health/ready');
    expect(ready.body).toMatchObject({ error: { redis: { rate_limits: { otp_send: 'fail-closed', other: 'fail-closed' } } } });
  });

  it('sends OTPs again once Redis is back', async () => {
    await redis.restart();
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await otp(byDefault, freshPhone())).status;
      if (status === 201) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(201);
    const ready = await call(byDefault.url, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
  });
});
