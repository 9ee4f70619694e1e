/**
 * Moving /metrics and /docs off the public listener: METRICS_PORT (a second listener with
 * /metrics only), METRICS_TOKEN (bearer), and the docs off in production unless DOCS_ENABLED.
 */
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { freePort } from '../support/processes';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('METRICS_PORT', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    t = await startTestApp({ env: { METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1' } });
  });
  afterAll(async () => t?.close());

  it('serves /metrics on the second listener only; /health stays public', async () => {
    await request(t.http).get('/metrics').expect(404);
    await request(t.http).get('/health/live').expect(200);
    const scrape = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    // the public listener's traffic is measured there
    expect(await scrape.text()).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} [1-9]/);
  });

  it('serves nothing else on the second listener', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/docs-json`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('closes the second listener with the application', async () => {
    const other = await freePort();
    const app = await startTestApp({ env: { METRICS_PORT: String(other), METRICS_HOST: '127.0.0.1' } });
    expect((await fetch(`http://127.0.0.1:${other}/metrics`)).status).toBe(200);
    await app.close();
    await expect(fetch(`http://127.0.0.1:${other}/metrics`)).rejects.toThrow();
  });
});

describe('METRICS_TOKEN', () => {
  it('on the public listener: 401 in the error envelope without the bearer token, 200 with it', async () => {
    const t = await startTestApp({ env: { METRICS_TOKEN: TOKEN } });
    try {
      const refused = await request(t.http).get('/metrics').expect(401);
      expect(refused.body.error.code).toBe('UNAUTHORIZED');
      expect(JSON.stringify(refused.body)).not.toContain(TOKEN);
      await request(t.http).get('/metrics').set('authorization', `Bearer ${TOKEN}x`).expect(401);
      await request(t.http).get('/metrics').set('authorization', TOKEN).expect(401);
      const ok = await request(t.http).get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(200);
      expect(ok.text).toContain('# TYPE http_request_duration_seconds histogram');
    } finally {
      await t.close();
    }
  });

  it('on the second listener too', async () => {
    const port = await freePort();
    const t = await startTestApp({ env: { METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1', METRICS_TOKEN: TOKEN } });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('/docs', () => {
  // A production configuration the config accepts (the upstream is never called here).
  const production = { NODE_ENV: 'production', IAMPORT_IMP_KEY: 'live_key', IAMPORT_IMP_SECRET: 'live_secret', ALLOW_INSECURE_UPSTREAM: 'true' };

  it('is off in production', async () => {
    const t = await startTestApp({ env: production });
    try {
      await request(t.http).get('/docs-json').expect(404);
      await request(t.http).get('/docs').expect(404);
      await request(t.http).get('/health/live').expect(200);
    } finally {
      await t.close();
    }
  });

  it('is on in production with DOCS_ENABLED=true, and off elsewhere with DOCS_ENABLED=false', async () => {
    const on = await startTestApp({ env: { ...production, DOCS_ENABLED: 'true' } });
    try {
      await request(on.http).get('/docs-json').expect(200);
    } finally {
      await on.close();
    }
    const off = await startTestApp({ env: { DOCS_ENABLED: 'false' } });
    try {
      await request(off.http).get('/docs-json').expect(404);
    } finally {
      await off.close();
    }
  });
});
