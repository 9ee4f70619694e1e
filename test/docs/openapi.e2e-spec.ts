/**
 * `/docs-json` against the contract table (test/support/contract.ts): every route, its success
 * status and exactly its error codes per status; then real answers of the running api against it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { CONTRACT, GENERIC_ERRORS } from '../support/contract';
import { exampleOf, operationsOf, type OpenApiDocument, type OpenApiOperation } from '../support/openapi';

let t: TestApp;
let doc: OpenApiDocument;
let operations: Map<string, OpenApiOperation>;

beforeAll(async () => {
  t = await startTestApp();
  const res = await request(t.http).get('/docs-json').expect(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  doc = res.body as OpenApiDocument;
  operations = operationsOf(doc);
});

afterAll(async () => {
  await t?.close();
});

describe('/docs-json', () => {
  it('is an OpenAPI 3 document of this package, with the bearer scheme of the admin keys', () => {
    const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: expect.stringContaining('본인인증'), version: pkg.version });
    expect(doc.components.securitySchemes?.['admin-key']).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists every route of the contract tables, and no other', () => {
    expect([...operations.keys()].sort()).toEqual(Object.keys(CONTRACT).sort());
  });

  it.each(Object.entries(CONTRACT))('%s: success status and the error codes of the contract, per status', (route, contract) => {
    const op = operations.get(route)!;
    expect(op).toBeDefined();
    expect(op.summary).toEqual(expect.any(String));
    expect(Object.keys(op.responses)).toContain(String(contract.success));
    const documented: Record<string, string[]> = {};
    for (const [status, response] of Object.entries(op.responses)) {
      if (response['x-error-codes']) documented[status] = [...response['x-error-codes']].sort();
    }
    const expected: Record<string, string[]> = {};
    for (const [status, codes] of Object.entries(contract.errors)) expected[status] = [...codes].sort();
    // Besides the contract's statuses, only the generic ones (413/415 of a JSON body, 500).
    for (const [status, codes] of Object.entries(GENERIC_ERRORS)) {
      if (documented[status]) expected[status] = codes;
    }
    expect(documented).toEqual(expected);
  });

  it('documents each error status in the one error shape: description naming the codes, schema, an example per code', () => {
    const envelope = doc.components.schemas.ErrorEnvelope;
    expect(envelope.required?.sort()).toEqual(['error', 'request_id']);
    const info = doc.components.schemas.ErrorInfo;
    expect(Object.keys(info.properties ?? {}).sort()).toEqual(['code', 'details', 'message']);
    expect(info.required?.sort()).toEqual(['code', 'message']);
    let checked = 0;
    for (const [route, op] of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        const codes = response['x-error-codes'];
        if (!codes) {
          expect({ route, status: Number(status) < 400 || route.startsWith('GET /health') }).toEqual({ route, status: true });
          continue;
        }
        const json = response.content?.['application/json'];
        expect(JSON.stringify(json?.schema)).toContain('#/components/schemas/ErrorEnvelope');
        for (const code of codes) {
          expect({ route, status, description: response.description?.includes(`\`${code}\``) }).toEqual({ route, status, description: true });
          const example = json?.examples?.[code]?.value as { error: { code: string; message: string }; request_id: string };
          expect({ route, status, example: example?.error?.code }).toEqual({ route, status, example: code });
          expect(example.error.message).toEqual(expect.any(String));
          expect(example.request_id).toEqual(expect.any(String));
        }
        checked += codes.length;
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('admin routes need the admin bearer key, with the scope of the contract', () => {
    for (const [route, contract] of Object.entries(CONTRACT)) {
      const op = operations.get(route)!;
      if (route.includes(' /admin/')) {
        expect({ route, security: op.security, scopes: op['x-required-scopes'] }).toEqual({
          route,
          security: [{ 'admin-key': [] }],
          scopes: [contract.scope],
        });
      } else {
        expect({ route, security: op.security }).toEqual({ route, security: undefined });
      }
    }
  });

  it('describes the request bodies and parameters', () => {
    const body = (route: string) => operations.get(route)!.requestBody?.content['application/json'].schema.$ref;
    expect(body('POST /certifications/otp/request')).toBe('#/components/schemas/RequestOtpDto');
    expect(body('POST /certifications/otp/confirm/{imp_uid}')).toBe('#/components/schemas/ConfirmOtpDto');
    expect(body('POST /certifications')).toBe('#/components/schemas/VerifyCertificationDto');
    expect(body('POST /users')).toBe('#/components/schemas/CreateUserDto');
    expect(doc.components.schemas.RequestOtpDto.required?.sort()).toEqual(['birth', 'carrier', 'gender_digit', 'name', 'phone']);
    expect(doc.components.schemas.CreateUserDto.required).toEqual(['verification_token']);
    const params = (route: string) => (operations.get(route)!.parameters ?? []).map((p) => `${p.in}:${p.name}${p.required ? '!' : ''}`).sort();
    expect(params('POST /certifications/otp/confirm/{imp_uid}')).toEqual(['path:imp_uid!']);
    expect(params('GET /certifications/redirect')).toEqual(['query:code', 'query:identityVerificationId', 'query:imp_success', 'query:imp_uid', 'query:success']);
    expect(params('GET /admin/certifications')).toEqual(
      ['query:cursor', 'query:flow', 'query:from', 'query:limit', 'query:phone', 'query:provider', 'query:status', 'query:to'].sort(),
    );
    expect(params('GET /admin/certifications/{imp_uid}')).toEqual(['path:imp_uid!', 'query:reveal']);
    expect(params('GET /admin/users')).toEqual(['query:ci', 'query:di']);
    expect(params('GET /admin/users/{id}')).toEqual(['path:id!']);
    // The verification view: what the person sees (no CI, DI or phone).
    const view = Object.keys(doc.components.schemas.VerificationViewResponse.properties ?? {}).sort();
    expect(view).toEqual(
      ['age', 'birthday', 'certified_at', 'foreigner', 'gender', 'imp_uid', 'name', 'status', 'verification_expires_at', 'verification_token'].sort(),
    );
  });
});

describe('the document against the running api', () => {
  /** The answer's status and code are documented for the route. */
  function expectDocumented(route: string, res: request.Response, code: string): void {
    const response = operations.get(route)!.responses[String(res.status)];
    expect({ route, status: res.status, code: res.body?.error?.code }).toEqual({ route, status: res.status, code });
    expect({ route, status: res.status, documented: response?.['x-error-codes'] }).toEqual({
      route,
      status: res.status,
      documented: expect.arrayContaining([code]),
    });
  }

  it('real error answers are documented ones', async () => {
    expectDocumented('POST /certifications/otp/request', await request(t.http).post('/certifications/otp/request').send({}), 'VALIDATION_FAILED');
    expectDocumented(
      'POST /certifications/otp/request',
      await request(t.http).post('/certifications/otp/request').set('content-type', 'application/xml').send('<a/>'),
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectDocumented(
      'POST /certifications/otp/confirm/{imp_uid}',
      await request(t.http).post('/certifications/otp/confirm/imp_000000000001').send({ otp: '123456' }),
      'CERTIFICATION_NOT_FOUND',
    );
    expectDocumented(
      'POST /certifications/otp/confirm/{imp_uid}',
      await request(t.http).post('/certifications/otp/confirm/imp_000000000001').send({ otp: '12' }),
      'VALIDATION_FAILED',
    );
    expectDocumented('POST /certifications', await request(t.http).post('/certifications').send({ imp_uid: 'imp_000000000002' }), 'CERTIFICATION_NOT_FOUND');
    expectDocumented(
      'POST /users',
      await request(t.http).post('/users').send({ verification_token: randomBytes(32).toString('base64url') }),
      'VERIFICATION_NOT_FOUND',
    );
    expectDocumented('GET /admin/certifications', await request(t.http).get('/admin/certifications'), 'UNAUTHORIZED');
    expectDocumented('GET /admin/audit-log', await request(t.http).get('/admin/audit-log').set('authorization', 'Bearer adm_nope'), 'UNAUTHORIZED');
    const redirect = await request(t.http).get('/certifications/redirect?success=true').expect(302);
    expect(redirect.headers.location).toBe('/certification/failure?error_code=VALIDATION_FAILED');
  });

  it("the OTP request's documented example (Swagger UI's pre-filled body) is accepted: 201 as documented", async () => {
    const op = operations.get('POST /certifications/otp/request')!;
    const body = exampleOf(doc, op.requestBody!.content['application/json'].schema.$ref!);
    expect(body).toMatchObject({ name: '홍길동', phone: '01012345678', carrier: 'SKT' });
    const res = await request(t.http).post('/certifications/otp/request').send(body);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 201,
      body: { imp_uid: expect.stringMatching(/^imp_/), expires_at: expect.any(String) },
    });
    const documented = Object.keys(doc.components.schemas.OtpRequestedResponse.properties ?? {}).sort();
    expect(Object.keys(res.body).sort()).toEqual(documented);
  });

  it('serves the Swagger UI at /docs with its files', async () => {
    const page = await request(t.http).get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    const init = await request(t.http).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"/docs-json"');
    for (const [file, type] of [
      ['swagger-ui-bundle.js', /javascript/],
      ['swagger-ui.css', /text\/css/],
      ['favicon-32x32.png', /image\/png/],
    ] as const) {
      const res = await request(t.http).get(`/docs/${file}`).buffer(true).expect(200);
      expect(res.headers['content-type']).toMatch(type);
      expect(Number(res.headers['content-length'] ?? (res.body as Buffer).length)).toBeGreaterThan(100);
    }
    // Only those files: nothing else of the swagger-ui-dist folder (or beyond it) is served.
    await request(t.http).get('/docs/package.json').expect(404);
    await request(t.http).get('/docs/swagger-ui-bundle.js.map').expect(404);
  });
});
