/**
 * /health/live and /health/ready on the real api (Fastify, real database, in-process sandbox as
 * upstream): 200 when every dependency answers; 503 with terminus' body when the upstream
 * circuit breaker is open, when Redis does not answer, or when the database is gone.
 */
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IamportClient } from '@app/iamport';
import { startTestApp, type TestApp } from '../support/app';
import { itIf, redisMissing, testRedisUrl } from '../support/availability';
import { addFault, clearFaults } from '../support/sandbox-control';

describe('health probes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { IAMPORT_TIMEOUT_MS: '1000' } });
  });
  afterAll(async () => t?.close());

  it('GET /health/live answers 200 with terminus status ok and checks nothing', async () => {
    const res = await request(t.http).get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('GET /health/ready answers 200 with the database and the upstream breaker up, no redis without REDIS_URL', async () => {
    const res = await request(t.http).get('/health/ready').expect(200);
    const database = { status: 'up', responseTime: expect.any(Number) };
    expect(res.body).toEqual({
      status: 'ok',
      info: { database, upstream: { status: 'up', breaker: 'closed' } },
      error: {},
      details: { database, upstream: { status: 'up', breaker: 'closed' } },
    });
  });

  it('answers 503 (terminus body) while the upstream breaker is open; liveness stays 200', async () => {
    const client = t.app.get(IamportClient);
    await addFault(t.sandboxUrl, { path_prefix: '/', status: 500 });
    try {
      // getToken is retried (3 attempts per call); 10 consecutive 5xx open the breaker.
      for (let i = 0; i < 5 && client.breakerState() !== 'open'; i++) {
        await expect(client.getCertification('imp_health_probe')).rejects.toThrow();
      }
      expect(client.breakerState()).toBe('open');

      const res = await request(t.http).get('/health/ready').expect(503);
      const database = { status: 'up', responseTime: expect.any(Number) };
      expect(res.body).toEqual({
        status: 'error',
        info: { database },
        error: { upstream: { status: 'down', breaker: 'open' } },
        details: { database, upstream: { status: 'down', breaker: 'open' } },
      });
      expect(res.headers['x-request-id']).toBeTruthy();
      // liveness does not depend on the upstream
      await request(t.http).get('/health/live').expect(200);
    } finally {
      await clearFaults(t.sandboxUrl);
    }
  });

  it('reports Redis (PING) when REDIS_URL is set: down (503) when nothing answers there', async () => {
    const app = await startTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' }, db: t.db, sandbox: t.sandbox });
    try {
      const res = await request(app.http).get('/health/ready').expect(503);
      expect(res.body.status).toBe('error');
      expect(res.body.error.redis.status).toBe('down');
      expect(res.body.info.database).toMatchObject({ status: 'up' });
      // the URL (it may carry a password) is not reported
      expect(JSON.stringify(res.body)).not.toContain('127.0.0.1:1');
    } finally {
      await app.close();
    }
  });

  itIf('health: Redis up', redisMissing)('reports Redis up when REDIS_URL points at a Redis that answers', async () => {
    const app = await startTestApp({ env: { REDIS_URL: testRedisUrl! }, db: t.db, sandbox: t.sandbox });
    try {
      const res = await request(app.http).get('/health/ready').expect(200);
      expect(res.body.info.redis).toMatchObject({ status: 'up' });
    } finally {
      await app.close();
    }
  });

  it('answers 503 with the database down when the DataSource cannot query', async () => {
    const app = await startTestApp({ db: t.db, sandbox: t.sandbox });
    try {
      await app.app.get(DataSource).destroy();
      const res = await request(app.http).get('/health/ready').expect(503);
      expect(res.body.status).toBe('error');
      expect(res.body.error.database.status).toBe('down');
      expect(res.body.info.upstream).toEqual({ status: 'up', breaker: 'closed' });
      await request(app.http).get('/health/live').expect(200);
    } finally {
      await app.close();
    }
  });
});
