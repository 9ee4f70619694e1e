import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { generateKeyMaterial } from '@app/pii';
import { itIf, redisMissing, testRedisUrl } from '../support/availability';
import { deleteKeysUnder, keysUnder, uniquePrefix } from '../support/redis';
import { reached, startLimiterApp } from '../support/rate-limit-app';

const OTP_BODY = { name: '홍길동', birth: '900101', gender_digit: '1', carrier: 'SKT' };

function otp(app: INestApplication, phone: unknown, ip = '198.51.100.7') {
  return request(app.getHttpServer())
    .post('/certifications/otp/request')
    .set('X-Forwarded-For', ip)
    .send({ ...OTP_BODY, phone });
}

function expectRateLimited(res: request.Response, scope: 'ip' | 'phone', windowSeconds = 600): void {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('RATE_LIMITED');
  expect(res.body.error.details).toMatchObject({ scope, window_seconds: windowSeconds });
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(typeof res.body.request_id).toBe('string');
}

describe.each(['fastify', 'express'] as const)('rate limits in memory (%s adapter)', (adapter) => {
  let app: INestApplication;
  beforeEach(async () => {
    app = await startLimiterApp({
      adapter,
      env: { OTP_SEND_LIMIT_PER_PHONE: '5', OTP_SEND_LIMIT_PER_IP: '8', OTP_CONFIRM_LIMIT_PER_IP: '3', SIGNUP_LIMIT_PER_IP: '2' },
    });
  });
  afterEach(async () => app.close());

  it('refuses the 6th OTP request for one phone number, however it is written, with Retry-After', async () => {
    const before = reached.otpRequest;
    const spellings = ['010-1234-5678', '01012345678', '+82 10 1234 5678', '+82 (0)10-1234-5678', '82 10.1234.5678'];
    for (const phone of spellings) expect((await otp(app, phone)).status).toBe(201);
    const refused = await otp(app, '010 1234 5678');
    expectRateLimited(refused, 'phone');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(590);
    expect(reached.otpRequest - before).toBe(5);
    // another number, same IP, is still served; phone-scoped refusals show no X-RateLimit headers
    expect((await otp(app, '010-9999-8888')).status).toBe(201);
    expect(refused.headers['x-ratelimit-remaining-otp-request-phone']).toBeUndefined();
  });

  it('counts the phone limit across IPs and the IP limit across phones', async () => {
    for (let i = 0; i < 5; i++) expect((await otp(app, '01011112222', `203.0.113.${i + 1}`)).status).toBe(201);
    expectRateLimited(await otp(app, '01011112222', '203.0.113.99'), 'phone');

    const ip = '192.0.2.55';
    for (let i = 0; i < 8; i++) expect((await otp(app, `0102000000${i}`, ip)).status).toBe(201);
    expectRateLimited(await otp(app, '01020000099', ip), 'ip');
    // a request refused for its IP does not use up the phone's quota
    for (let i = 0; i < 5; i++) expect((await otp(app, '01033334444', `192.0.2.${100 + i}`)).status).toBe(201);
  });

  it('does not count an unparseable phone per phone (validation rejects it), but counts it per IP', async () => {
    const ip = '192.0.2.77';
    for (let i = 0; i < 8; i++) expect((await otp(app, 'not a phone', ip)).status).toBe(201);
    expectRateLimited(await otp(app, ['010-1234-5678'], ip), 'ip');
    expect((await otp(app, { toString: 1 }, '192.0.2.78')).status).toBe(201);
  });

  it('limits confirmations (OTP and popup share one counter) and signups per IP; other routes (the redirect too) are not limited', async () => {
    const server = app.getHttpServer();
    const ip = '198.51.100.200';
    expect((await request(server).post('/certifications/otp/confirm/imp_1').set('X-Forwarded-For', ip).send({ otp: '123456' })).status).toBe(200);
    expect((await request(server).post('/certifications').set('X-Forwarded-For', ip).send({ imp_uid: 'imp_1' })).status).toBe(200);
    expect((await request(server).post('/certifications/otp/confirm/imp_3').set('X-Forwarded-For', ip).send({ otp: '123456' })).status).toBe(200);
    const refused = await request(server).post('/certifications/otp/confirm/imp_2').set('X-Forwarded-For', ip).send({ otp: '123456' });
    expectRateLimited(refused, 'ip');

    expect((await request(server).post('/users').set('X-Forwarded-For', ip).send({})).status).toBe(201);
    expect((await request(server).post('/users').set('X-Forwarded-For', ip).send({})).status).toBe(201);
    const signup = await request(server).post('/users').set('X-Forwarded-For', ip).send({});
    expectRateLimited(signup, 'ip');
    expect(signup.headers['x-ratelimit-limit-signup-ip']).toBeUndefined();

    const ok = await request(server).post('/users').set('X-Forwarded-For', '198.51.100.201').send({});
    expect(ok.status).toBe(201);
    expect(ok.headers['x-ratelimit-limit-signup-ip']).toBe('2');
    expect(ok.headers['x-ratelimit-remaining-signup-ip']).toBe('1');

    for (let i = 0; i < 20; i++) {
      expect((await request(server).get('/certifications/other').set('X-Forwarded-For', ip)).status).toBe(200);
      expect((await request(server).get('/certifications/redirect?imp_uid=imp_1').set('X-Forwarded-For', ip)).status).toBe(200);
    }
  });
});

describe('rate limits shared through Redis', () => {
  const redisUrl = testRedisUrl!;
  const itWithRedis = itIf('rate limits in Redis', redisMissing);
  const prefixes: string[] = [];
  const apps: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  afterAll(async () => {
    if (redisUrl) for (const p of prefixes) await deleteKeysUnder(redisUrl, p);
  });

  const instance = async (prefix: string, adapter: 'fastify' | 'express', hmacKey?: string) => {
    const app = await startLimiterApp({
      adapter,
      hmacKey,
      env: { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, OTP_SEND_LIMIT_PER_PHONE: '5', OTP_SEND_LIMIT_PER_IP: '20' },
    });
    apps.push(app);
    return app;
  };

  itWithRedis('holds one per-phone limit across two instances, and keeps no phone number or IP in Redis', async () => {
    const prefix = uniquePrefix('rl-shared');
    prefixes.push(prefix);
    const a = await instance(prefix, 'fastify');
    const b = await instance(prefix, 'express');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await otp(i % 2 === 0 ? a : b, '010-5555-6666', `203.0.113.${10 + i}`)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    expectRateLimited(await otp(a, '01055556666'), 'phone');
    expectRateLimited(await otp(b, '01055556666'), 'phone');

    const keys = await keysUnder(redisUrl, prefix);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatch(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}rl:[a-z-]+:[0-9a-f]{64}$`));
      // the whole number, not a part of it: a 64-hex digest can hold any short run of digits
      expect(key).not.toContain('01055556666');
      expect(key).not.toContain('203.0.113');
    }
  });

  itWithRedis('is atomic: 40 concurrent requests for one phone through two instances let exactly 5 through', async () => {
    const prefix = uniquePrefix('rl-race');
    prefixes.push(prefix);
    const a = await instance(prefix, 'fastify');
    const b = await instance(prefix, 'fastify');
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => otp(i % 2 ? a : b, '010-7777-8888', `198.18.0.${i + 1}`)),
    );
    const counts = results.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 201: 5, 429: 35 });
  });

  itWithRedis('keeps deployments with different key prefixes (or HMAC keys) apart', async () => {
    const p1 = uniquePrefix('rl-p1');
    const p2 = uniquePrefix('rl-p2');
    prefixes.push(p1, p2);
    const a = await instance(p1, 'fastify');
    const b = await instance(p2, 'fastify');
    const c = await instance(p1, 'fastify', generateKeyMaterial().hmacKey);
    for (let i = 0; i < 5; i++) expect((await otp(a, '01012121212')).status).toBe(201);
    expect((await otp(a, '01012121212')).status).toBe(429);
    expect((await otp(b, '01012121212')).status).toBe(201);
    expect((await otp(c, '01012121212')).status).toBe(201);
  });

  it('falls back to per-instance memory, without errors or stalls, when Redis does not answer', async () => {
    const app = await startLimiterApp({
      adapter: 'fastify',
      env: { REDIS_URL: 'redis://127.0.0.1:1', OTP_SEND_LIMIT_PER_PHONE: '5', RATE_LIMIT_ON_REDIS_FAILURE: 'local' },
    });
    apps.push(app);
    const started = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await otp(app, '010-4444-3333')).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
