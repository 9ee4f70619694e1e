/**
 * GET /metrics on the real api: Prometheus text format from the app's own registry, with the
 * series the operations issue names, sensible labels (route patterns, never raw URLs), and the
 * upstream counter and breaker gauge fed by the real IamportClient against the sandbox.
 */
import Fastify from 'fastify';
import request from 'supertest';
import { IamportClient } from '@app/iamport';
import { installHttpMetrics } from '../../apps/api/src/observability/http-metrics';
import { MetricsService } from '../../apps/api/src/observability/metrics.service';
import { startTestApp, type TestApp } from '../support/app';
import { walkSignup } from '../support/flows';
import { scrape, valueOf } from '../support/metrics';
import { addFault, clearFaults, otpFor } from '../support/sandbox-control';

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OTP_SEND_LIMIT_PER_PHONE: '2' } });
  });
  afterAll(async () => t?.close());

  it('serves the Prometheus text format with every named series declared', async () => {
    const { text, contentType } = await scrape(t.http);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const [name, type] of [
      ['http_request_duration_seconds', 'histogram'],
      ['iamport_upstream_calls_total', 'counter'],
      ['iamport_upstream_call_duration_seconds', 'histogram'],
      ['iamport_circuit_breaker_state', 'gauge'],
      ['otp_outcomes_total', 'counter'],
      ['signups_total', 'counter'],
      ['rate_limit_refusals_total', 'counter'],
      ['process_cpu_seconds_total', 'counter'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
    ]) {
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
      expect(text).toMatch(new RegExp(`# HELP ${name} \\S`));
    }
  });

  it('times requests by method, route pattern and status; unknown paths share route="unmatched"', async () => {
    await request(t.http).get('/health/live').expect(200);
    await request(t.http).get('/health/live').expect(200);
    await request(t.http).get('/no/such/path/01012345678').expect(404);
    const { samples, text } = await scrape(t.http);
    expect(valueOf(samples, 'http_request_duration_seconds_count', { method: 'GET', route: '/health/live', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(valueOf(samples, 'http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(valueOf(samples, 'http_request_duration_seconds_bucket', { method: 'GET', route: '/health/live', status: '200', le: '+Inf' })).toBeGreaterThanOrEqual(2);
    expect(valueOf(samples, 'http_request_duration_seconds_sum', { method: 'GET', route: '/health/live', status: '200' })).toBeGreaterThan(0);
    // never the raw URL
    expect(text).not.toContain('01012345678');
    expect(text).not.toContain('/no/such/path');
  });

  it('uses route patterns, not the concrete path, for parameterized routes', async () => {
    const { samples } = await scrape(t.http);
    for (const s of samples.filter((x) => x.name.startsWith('http_request_duration_seconds'))) {
      expect(s.labels.route === 'unmatched' || s.labels.route.startsWith('/')).toBe(true);
      expect(s.labels.route).not.toMatch(/imp_[0-9a-z]{6,}/);
    }
  });

  it('after a signup: OTP outcomes, signups, request durations of the flow routes and the upstream calls', async () => {
    const person = { name: '이서연', phone: '010-5120-3344', birth: '19950704', gender_digit: '2', carrier: 'KT' };
    const before = (await scrape(t.http)).samples;
    // a wrong OTP first (mismatch), then the whole flow
    const first = await request(t.http).post('/certifications/otp/request').send(person).expect(201);
    const otp = await otpFor(t.sandboxUrl, '01051203344', first.body.imp_uid);
    await request(t.http).post(`/certifications/otp/confirm/${first.body.imp_uid}`).send({ otp: otp === '000000' ? '111111' : '000000' }).expect(400);
    await request(t.http).post(`/certifications/otp/confirm/${first.body.imp_uid}`).send({ otp }).expect(200);
    // then a whole signup (on another phone)
    const { signup } = await walkSignup(t.http, t.sandboxUrl, { ...person, phone: '010-5120-9988' });
    expect(signup.status).toBe(201);

    const after = (await scrape(t.http)).samples;
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('otp_outcomes_total', { outcome: 'requested' })).toBe(2);
    expect(delta('otp_outcomes_total', { outcome: 'mismatch' })).toBe(1);
    expect(delta('otp_outcomes_total', { outcome: 'confirmed' })).toBe(2);
    expect(delta('signups_total', { outcome: 'completed' })).toBe(1);
    expect(delta('http_request_duration_seconds_count', { method: 'POST', route: '/certifications/otp/request', status: '201' })).toBe(2);
    expect(delta('http_request_duration_seconds_count', { method: 'POST', route: '/certifications/otp/confirm/:imp_uid', status: '400' })).toBe(1);
    expect(delta('http_request_duration_seconds_count', { method: 'POST', route: '/users', status: '201' })).toBe(1);
    expect(delta('iamport_upstream_calls_total', { operation: 'requestOtp', outcome: 'success' })).toBe(2);
    expect(delta('iamport_upstream_calls_total', { operation: 'confirmOtp', outcome: 'success' })).toBeGreaterThanOrEqual(2);
  });

  it('counts a signup of a person who already has an account as signups_total{outcome="conflict"}', async () => {
    const person = { name: '박지호', phone: '010-7001-2002', birth: '19881122', gender_digit: '1', carrier: 'LGT' };
    const before = (await scrape(t.http)).samples;
    expect((await walkSignup(t.http, t.sandboxUrl, person)).signup.status).toBe(201);
    const again = await walkSignup(t.http, t.sandboxUrl, { ...person, phone: '010-7001-3003' });
    expect(again.signup.status).toBe(409);
    expect(again.signup.body.error.code).toBe('ALREADY_REGISTERED');
    const after = (await scrape(t.http)).samples;
    expect(valueOf(after, 'signups_total', { outcome: 'conflict' }) - valueOf(before, 'signups_total', { outcome: 'conflict' })).toBe(1);
    expect(valueOf(after, 'signups_total', { outcome: 'completed' }) - valueOf(before, 'signups_total', { outcome: 'completed' })).toBe(1);
  });

  it('counts the api\'s 429 RATE_LIMITED refusals by route', async () => {
    const person = { name: '최유나', phone: '010-6060-7070', birth: '19920202', gender_digit: '2', carrier: 'SKT' };
    const before = valueOf((await scrape(t.http)).samples, 'rate_limit_refusals_total', { route: '/certifications/otp/request' });
    // OTP_SEND_LIMIT_PER_PHONE=2 for this app
    await request(t.http).post('/certifications/otp/request').send(person).expect(201);
    await request(t.http).post('/certifications/otp/request').send(person).expect(201);
    const refused = await request(t.http).post('/certifications/otp/request').send(person).expect(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    const after = valueOf((await scrape(t.http)).samples, 'rate_limit_refusals_total', { route: '/certifications/otp/request' });
    expect(after - before).toBe(1);
  });

  it('counts upstream attempts by operation and outcome (IamportModule onCall)', async () => {
    const client = t.app.get(IamportClient);
    const before = (await scrape(t.http)).samples;
    // a token (getToken success), then a lookup the sandbox does not know (404: client_error)
    await expect(client.getCertification('imp_unknown_metrics')).rejects.toThrow();
    const after = (await scrape(t.http)).samples;
    const delta = (operation: string, outcome: string) =>
      valueOf(after, 'iamport_upstream_calls_total', { operation, outcome }) - valueOf(before, 'iamport_upstream_calls_total', { operation, outcome });
    expect(delta('getCertification', 'client_error')).toBe(1);
    expect(valueOf(after, 'iamport_upstream_calls_total', { operation: 'getToken', outcome: 'success' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'iamport_upstream_call_duration_seconds_count', { operation: 'getCertification', outcome: 'client_error' })).toBeGreaterThanOrEqual(1);
  });

  it('reads the breaker state on each scrape: 0 closed, 2 open, with server errors and fast failures counted', async () => {
    const client = t.app.get(IamportClient);
    expect(valueOf((await scrape(t.http)).samples, 'iamport_circuit_breaker_state')).toBe(0);
    await addFault(t.sandboxUrl, { path_prefix: '/', status: 503 });
    try {
      for (let i = 0; i < 4 && client.breakerState() !== 'open'; i++) {
        await expect(client.getCertification('imp_breaker_metrics')).rejects.toThrow();
      }
      expect(client.breakerState()).toBe('open');
      await expect(client.getCertification('imp_breaker_metrics')).rejects.toThrow();
      const { samples } = await scrape(t.http);
      expect(valueOf(samples, 'iamport_circuit_breaker_state')).toBe(2);
      expect(valueOf(samples, 'iamport_upstream_calls_total', { operation: 'getCertification', outcome: 'circuit_open' })).toBeGreaterThanOrEqual(1);
      const serverErrors = samples
        .filter((s) => s.name === 'iamport_upstream_calls_total' && s.labels.outcome === 'server_error')
        .reduce((sum, s) => sum + s.value, 0);
      expect(serverErrors).toBeGreaterThanOrEqual(5);
    } finally {
      await clearFaults(t.sandboxUrl);
    }
  });

  it('keeps a registry per application: a second app starts from zero', async () => {
    const other = await startTestApp({ db: t.db, sandbox: t.sandbox });
    try {
      const { samples } = await scrape(other.http);
      expect(valueOf(samples, 'http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBe(0);
      expect(valueOf(samples, 'iamport_circuit_breaker_state')).toBe(0);
      // ...while the first still has its own
      expect(valueOf((await scrape(t.http)).samples, 'http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('HTTP metrics hooks (Fastify)', () => {
  it('counts 429 RATE_LIMITED answers by route pattern, and nothing for other error codes', async () => {
    const metrics = new MetricsService();
    const fastify = Fastify();
    installHttpMetrics(fastify, metrics);
    fastify.post('/certifications/otp/request', async (_req, reply) =>
      reply.status(429).send({ error: { code: 'RATE_LIMITED', message: 'Too many requests' }, request_id: 'r1' }),
    );
    fastify.post('/users/:id', async (_req, reply) =>
      reply.status(409).send({ error: { code: 'ALREADY_REGISTERED', message: 'x' }, request_id: 'r2' }),
    );
    try {
      // real HTTP (light-my-request's inject cannot load in Jest's ESM mode)
      const base = await fastify.listen({ port: 0, host: '127.0.0.1' });
      for (let i = 0; i < 2; i++) expect((await fetch(`${base}/certifications/otp/request`, { method: 'POST' })).status).toBe(429);
      expect((await fetch(`${base}/users/123`, { method: 'POST' })).status).toBe(409);
      const text = await metrics.scrape();
      expect(text).toContain('rate_limit_refusals_total{route="/certifications/otp/request"} 2\n');
      expect(text).not.toMatch(/rate_limit_refusals_total\{route="\/users/);
      expect(text).toContain('http_request_duration_seconds_count{method="POST",route="/users/:id",status="409"} 1\n');
    } finally {
      await fastify.close();
    }
  });
});
