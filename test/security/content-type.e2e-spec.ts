/**
 * Issue 13 item 3: only `application/json` reaches the JSON routes. A form, a text/plain or a
 * multipart body (what any web page can make its visitors' browsers send cross-site, without a
 * CORS preflight) and a body without Content-Type are answered 415 UNSUPPORTED_MEDIA_TYPE in the
 * error envelope, and no SMS leaves. Checked on the api (Fastify) and on the Express host of
 * a host on Express: the check is the libs' own (JsonBodyGuard on their controllers), and so is
 * item 8's `Cache-Control: no-store` on their answers (NoStoreInterceptor, the exception filter).
 */
import type { INestApplication } from '@nestjs/common';
import { createExpressHost } from '../support/express-host';
import { IamportSandbox } from '../../apps/iamport-sandbox/src/sandbox';
import { startTestApp, type TestApp } from '../support/app';
import { NO_RATE_LIMITS } from '../support/limits';
import { freshPhone } from '../support/people';
import { rawRequest, type RawAnswer } from '../support/raw-http';
import { SandboxControl } from '../support/sandbox-control';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

interface Host {
  base: string;
  prefix: string;
  sandbox: SandboxControl;
}

const person = () => ({ name: '홍길동', phone: freshPhone(), birth: '19900101', gender_digit: '1', carrier: 'SKT' });

const ROUTES = [
  { path: '/certifications/otp/request', body: person },
  { path: '/certifications/otp/confirm/imp_000000000001', body: () => ({ otp: '123456' }) },
  { path: '/certifications', body: () => ({ imp_uid: 'imp_000000000001' }) },
  { path: '/users', body: () => ({ verification_token: 'A'.repeat(43) }) },
];

function form(body: Record<string, string>): string {
  return new URLSearchParams(body).toString();
}

function multipart(body: Record<string, string>): { type: string; text: string } {
  const boundary = 'xBoundary42';
  const parts = Object.entries(body).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return { type: `multipart/form-data; boundary=${boundary}`, text: `${parts.join('')}--${boundary}--\r\n` };
}

/** The bodies a cross-site page (or a careless client) sends, each with its Content-Type (or none). */
function hostileBodies(body: Record<string, string>): Array<{ what: string; headers: Record<string, string>; text: string }> {
  const parts = multipart(body);
  return [
    { what: 'form-urlencoded', headers: { 'content-type': 'application/x-www-form-urlencoded' }, text: form(body) },
    { what: 'text/plain holding JSON', headers: { 'content-type': 'text/plain;charset=UTF-8' }, text: JSON.stringify(body) },
    { what: 'multipart', headers: { 'content-type': parts.type }, text: parts.text },
    { what: 'no content type', headers: {}, text: JSON.stringify(body) },
    { what: 'no content type, no body', headers: {}, text: '' },
  ];
}

function expect415(a: RawAnswer, what: string): void {
  const shown = `${what}: ${a.status} ${a.text.slice(0, 200)}`;
  expect({ shown, status: a.status }).toEqual({ shown, status: 415 });
  expect(a.json).toEqual({
    error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.any(String) },
    request_id: expect.any(String),
  });
  expect(a.headers['x-request-id']).toBe(a.json.request_id);
}

function behavesAsJsonOnly(name: string, host: () => Host): void {
  describe(name, () => {
    it.each(ROUTES.map((r) => [r.path, r] as const))('POST %s: 415 for every body that is not application/json, and no SMS', async (_path, route) => {
      const h = host();
      const smsBefore = (await h.sandbox.stats()).sms_sent;
      for (const sent of hostileBodies(route.body())) {
        const a = await rawRequest(`${h.base}${h.prefix}${route.path}`, { method: 'POST', headers: sent.headers, body: sent.text });
        expect415(a, sent.what);
      }
      expect((await h.sandbox.stats()).sms_sent).toBe(smsBefore);
    });

    it('application/json (any case, with a charset) still reaches the route', async () => {
      const h = host();
      const a = await rawRequest(`${h.base}${h.prefix}/certifications/otp/request`, {
        method: 'POST',
        headers: { 'content-type': 'Application/JSON; charset=utf-8' },
        body: JSON.stringify(person()),
      });
      expect(a.status).toBe(201);
      expect(a.headers['cache-control']).toBe('no-store'); // item 8, on either adapter
      const refused = await rawRequest(`${h.base}${h.prefix}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(refused.status).toBe(400);
      expect(refused.json.error.code).toBe('VALIDATION_FAILED');
      expect(refused.headers['cache-control']).toBe('no-store');
    });

    it('leaves the GET redirect route and the routes without a body alone', async () => {
      const h = host();
      const redirect = await rawRequest(`${h.base}${h.prefix}/certifications/redirect?imp_uid=imp_1&imp_success=false`);
      expect(redirect.status).toBe(302);
      const erase = await rawRequest(`${h.base}${h.prefix}/admin/certifications/imp_000000000001`, { method: 'DELETE' });
      expect(erase.status).toBe(401);
      expect(erase.json.error.code).toBe('UNAUTHORIZED');
    });
  });
}

let api: TestApp;
let apiBase: string;

let db: TestDatabase;
let hostSandbox: IamportSandbox;
let host: INestApplication;
let hostBase: string;

beforeAll(async () => {
  api = await startTestApp({ env: NO_RATE_LIMITS });
  await api.app.listen(0, '127.0.0.1');
  apiBase = `http://127.0.0.1:${(api.app.getHttpServer().address() as { port: number }).port}`;

  db = await createTestDatabase();
  hostSandbox = new IamportSandbox({ impKey: 'host_imp_key', impSecret: 'host_imp_secret', logger: { log: () => undefined } });
  const sandboxUrl = await hostSandbox.listen(0);
  host = await createExpressHost({ databaseUrl: db.url, poolSize: db.poolSize, sandboxUrl, impKey: 'host_imp_key', impSecret: 'host_imp_secret' });
  await host.listen(0, '127.0.0.1');
  hostBase = `http://127.0.0.1:${(host.getHttpServer().address() as { port: number }).port}`;
}, 60_000);

afterAll(async () => {
  await api?.close();
  await host?.close();
  await hostSandbox?.close();
  await db?.drop();
});

behavesAsJsonOnly('the api (Fastify)', () => ({ base: apiBase, prefix: '', sandbox: new SandboxControl(api.sandboxUrl) }));
behavesAsJsonOnly('a host on Express', () => ({ base: hostBase, prefix: '/api', sandbox: new SandboxControl(hostSandbox.url) }));
