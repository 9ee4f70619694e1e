/**
 * examples/monolith: a host application on the Express adapter with its own configuration
 * (@nestjs/config), its own TypeORM connection (forRootAsync, the package's migrations run at
 * boot, entities loaded from the libs' forFeature) and the libs imported with forRootAsync from
 * the installed @iamport-identity/nest tarball, under the host's global prefix `/api`. Packed,
 * installed into examples/monolith/node_modules, compiled with tsc and booted in its own process
 * (test/examples/host-harness.cjs) on a fresh database with an in-process sandbox as upstream: a
 * whole OTP signup through it, the host's own route on a lib service, the host's OTP limiter, the
 * admin API and the host's OpenAPI document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { generateAdminKey } from '@app/admin';
import { generateKeyMaterial } from '@app/pii';
import { IamportSandbox } from '../../apps/iamport-sandbox/src/sandbox';
import { npm, packIdentity, startIn, tsc, type HostProcess } from '../support/package-host';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

const EXAMPLE = join(process.cwd(), 'examples', 'monolith');
const HARNESS = join(process.cwd(), 'test', 'examples', 'host-harness.cjs');

interface HostReport {
  url: string;
  adapter: string;
  options: { type: string; synchronize: boolean; migrationsRun: boolean };
  tables: string[];
}

interface BootedHost {
  proc: HostProcess;
  report: HostReport;
}

/** The example as a host builds it: the tarball into its node_modules (the peers are the repository's), then tsc. */
async function buildExample(): Promise<void> {
  const tarball = await packIdentity(join(process.cwd(), 'dist-pack'));
  const dependency = (JSON.parse(readFileSync(join(EXAMPLE, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies[
    '@iamport-identity/nest'
  ];
  expect(join(EXAMPLE, dependency.replace(/^file:/, ''))).toBe(tarball);
  await npm(EXAMPLE, ['install', '--prefer-offline', '--ignore-scripts', '--legacy-peer-deps', '--no-package-lock', '--no-audit', '--no-fund']);
  await tsc(join(EXAMPLE, 'tsconfig.json'));
}

async function bootExample(mode: 'host' | 'minimal', env: Record<string, string>): Promise<BootedHost> {
  const proc = startIn(EXAMPLE, HARNESS, { ...env, ...(mode === 'host' ? { HOST_ENV: JSON.stringify(env) } : {}) }, [mode]);
  const report = await new Promise<HostReport>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not boot:\n${proc.output()}`)), 60_000);
    proc.child.stdout!.on('data', () => {
      const line = proc.output().split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as HostReport);
      }
    });
    proc.child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the example exited:\n${proc.output()}`));
    });
  });
  return { proc, report };
}

let querySeq = 0;

/** Rows of a query on the example's own DataSource (through the harness's stdin). */
async function queryDb(target: BootedHost, sql: string, params: unknown[] = []): Promise<any[]> {
  const id = ++querySeq;
  return new Promise((resolve, reject) => {
    const onData = () => {
      for (const line of target.proc.output().split('\n')) {
        if (!line.startsWith(`{"id":${id},`)) continue;
        target.proc.child.stdout!.off('data', onData);
        const answer = JSON.parse(line) as { rows?: any[]; error?: string };
        return answer.error ? reject(new Error(answer.error)) : resolve(answer.rows!);
      }
    };
    target.proc.child.stdout!.on('data', onData);
    target.proc.child.stdin!.write(`${JSON.stringify({ id, sql, params })}\n`);
  });
}

let db: TestDatabase;
let sandbox: IamportSandbox;
let host: BootedHost;
let http: string;
const admin = generateAdminKey({ id: 'ops', scopes: ['verifications:read', 'audit:read'] });

let phoneSeq = 0;
function freshPhone(): string {
  phoneSeq += 1;
  const digits = String(10_000_000 + ((process.pid * 7919 + phoneSeq * 104_729 + Date.now()) % 90_000_000)).slice(-8);
  return `010${digits.endsWith('0000') ? `${digits.slice(0, 4)}1234` : digits}`;
}

async function otpFor(phone: string, impUid: string): Promise<string> {
  const inbox = (await (await fetch(`${sandbox.url}/__sandbox/inbox?phone=${phone}`)).json()) as { messages: Array<{ imp_uid: string; otp: string }> };
  const message = inbox.messages.find((m) => m.imp_uid === impUid);
  if (!message) throw new Error('no OTP in the sandbox inbox');
  return message.otp;
}

beforeAll(async () => {
  const built = buildExample();
  db = await createTestDatabase();
  sandbox = new IamportSandbox({ impKey: 'host_imp_key', impSecret: 'host_imp_secret', logger: { log: () => undefined } });
  const sandboxUrl = await sandbox.listen(0);
  const keys = generateKeyMaterial();
  await built;
  host = await bootExample('host', {
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: String(db.poolSize),
      IAMPORT_BASE_URL: sandboxUrl,
      IAMPORT_IMP_KEY: 'host_imp_key',
      IAMPORT_IMP_SECRET: 'host_imp_secret',
      PII_ENCRYPTION_KEYS: keys.encryptionKeys,
      PII_HMAC_KEY: keys.hmacKey,
      SIGNUP_MIN_AGE: '19',
      OTP_REQUESTS_PER_PHONE: '2',
      VERIFIED_URL: 'https://shop.example.com/verified',
      VERIFICATION_FAILED_URL: 'https://shop.example.com/verify-failed',
      ADMIN_API_KEYS: admin.entry,
  });
  http = host.report.url;
}, 240_000);

afterAll(async () => {
  await host?.proc.stop();
  await sandbox?.close();
  await db?.drop();
});

it('is an Express application on its own DataSource, with the libs\' entities and the migrated schema', async () => {
  expect(host.report.adapter).toBe('express');
  expect(host.report.options).toMatchObject({ type: 'postgres', synchronize: false, migrationsRun: true });
  expect(host.report.tables.sort()).toEqual(
    ['audit_log', 'certifications', 'upstream_deletions', 'user_tombstones', 'users', 'verification_tokens'].sort(),
  );
  const migrations = await queryDb(host, 'SELECT name FROM migrations ORDER BY id');
  expect(migrations.length).toBeGreaterThanOrEqual(2);
});

it('performs a whole OTP signup through the host (request, OTP from the sandbox inbox, confirm, POST /users -> 201)', async () => {
  const phone = freshPhone();
  const requested = await request(http)
    .post('/api/certifications/otp/request')
    .send({ name: '홍길동', phone: `${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`, birth: '1990-01-01', gender_digit: '1', carrier: 'SKT' });
  expect({ status: requested.status, body: requested.body }).toEqual({
    status: 201,
    body: { imp_uid: expect.stringMatching(/^imp_/), expires_at: expect.any(String) },
  });
  const otp = await otpFor(phone, requested.body.imp_uid);

  const wrong = await request(http).post(`/api/certifications/otp/confirm/${requested.body.imp_uid}`).send({ otp: otp === '000000' ? '111111' : '000000' });
  expect({ status: wrong.status, code: wrong.body.error?.code, left: wrong.body.error?.details?.attempts_left }).toEqual({ status: 400, code: 'OTP_MISMATCH', left: 4 });
  expect(wrong.body.request_id).toEqual(expect.any(String));

  const confirmed = await request(http).post(`/api/certifications/otp/confirm/${requested.body.imp_uid}`).send({ otp }).expect(200);
  expect(confirmed.body).toMatchObject({ status: 'verified', name: '홍*동', birthday: '1990-01-01', gender: 'male' });

  const created = await request(http).post('/api/users').send({ verification_token: confirmed.body.verification_token, nickname: '길동' });
  expect({ status: created.status, body: created.body }).toEqual({ status: 201, body: { id: expect.any(String), created_at: expect.any(String) } });

  const again = await request(http).post('/api/users').send({ verification_token: confirmed.body.verification_token }).expect(409);
  expect(again.body.error.code).toBe('VERIFICATION_USED');

  // the host's own route, on UserService of @iamport-identity/nest/user
  const member = await request(http).get(`/api/members/${created.body.id}`).expect(200);
  expect(member.body).toEqual({ id: created.body.id, nickname: '길동', member_since: created.body.created_at });
  const badId = await request(http).get('/api/members/not-a-uuid').expect(400);
  expect(badId.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'id', message: 'id must be a UUID' }] } });
  expect((await request(http).get('/api/members/6a81872a-0b14-43ed-a1be-b99600021d3b').expect(404)).body.error.code).toBe('MEMBER_NOT_FOUND');

  // in the host's database
  const rows = await queryDb(
    host,
    'SELECT c.status, c.flow, (u.id IS NOT NULL) AS has_user FROM certifications c LEFT JOIN users u ON u.certification_id = c.id WHERE c.imp_uid = $1',
    [requested.body.imp_uid],
  );
  expect(rows).toEqual([{ status: 'used', flow: 'otp', has_user: true }]);

  // the admin API, with a key of the host's configuration
  const list = await request(http).get('/api/admin/certifications?status=used').set('authorization', `Bearer ${admin.key}`).expect(200);
  expect(list.body.items).toEqual([expect.objectContaining({ imp_uid: requested.body.imp_uid, name: '홍*동', status: 'used' })]);
  expect((await request(http).get('/api/admin/certifications').expect(401)).body.error.code).toBe('UNAUTHORIZED');
});

it("the host's withdraw route (DELETE /members/:id) erases the member through UserService.erase", async () => {
  const phone = freshPhone();
  const requested = await request(http)
    .post('/api/certifications/otp/request')
    .send({ name: '탈퇴회원', phone, birth: '1966-06-16', gender_digit: '2', carrier: 'KT' })
    .expect(201);
  const otp = await otpFor(phone, requested.body.imp_uid);
  const confirmed = await request(http).post(`/api/certifications/otp/confirm/${requested.body.imp_uid}`).send({ otp }).expect(200);
  const created = await request(http).post('/api/users').send({ verification_token: confirmed.body.verification_token }).expect(201);

  await request(http).delete(`/api/members/${created.body.id}`).expect(204);
  expect((await request(http).get(`/api/members/${created.body.id}`).expect(404)).body.error.code).toBe('MEMBER_NOT_FOUND');
  expect((await request(http).delete(`/api/members/${created.body.id}`).expect(404)).body.error.code).toBe('MEMBER_NOT_FOUND');

  expect(await queryDb(host, 'SELECT reason FROM user_tombstones WHERE id = $1', [created.body.id])).toEqual([{ reason: 'withdrawal' }]);
  const [cert] = await queryDb(host, 'SELECT name_enc, pii_erased_at FROM certifications WHERE imp_uid = $1', [requested.body.imp_uid]);
  expect(cert.name_enc).toBeNull();
  expect(cert.pii_erased_at).not.toBeNull();
  expect(await queryDb(host, 'SELECT reason FROM upstream_deletions WHERE imp_uid = $1', [requested.body.imp_uid])).toEqual([{ reason: 'account' }]);
  const audit = await queryDb(host, `SELECT key_id, result FROM audit_log WHERE action = 'user.erase' AND subject_id = $1 ORDER BY id`, [created.body.id]);
  expect(audit).toEqual([{ key_id: 'user:self', result: 'ok' }, { key_id: 'user:self', result: 'already_erased' }]);
});

it("applies the host's options: the OTP limiter (429 RATE_LIMITED), the age policy (19) and the redirect URLs", async () => {
  const phone = freshPhone();
  const person = { name: '김영희', phone, birth: '19950505', gender_digit: '2', carrier: 'KT' };
  await request(http).post('/api/certifications/otp/request').send(person).expect(201);
  await request(http).post('/api/certifications/otp/request').send(person).expect(201);
  const limited = await request(http).post('/api/certifications/otp/request').send(person).expect(429);
  expect(limited.body.error.code).toBe('RATE_LIMITED');
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

  const minor = { name: '이청소', phone: freshPhone(), birth: '20100505', gender_digit: '3', carrier: 'SKT' };
  const browser = request.agent(http);
  const flow = await browser.post('/api/certifications/window').expect(201);
  const popup = await fetch(`${sandbox.url}/__sandbox/certifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...minor, merchant_uid: flow.body.merchant_uid }),
  });
  const { imp_uid: impUid } = (await popup.json()) as { imp_uid: string };
  const redirected = await browser.get(`/api/certifications/redirect?imp_uid=${impUid}&success=true`).expect(302);
  expect(redirected.headers.location).toBe(`https://shop.example.com/verified?imp_uid=${impUid}`);
  const view = await browser.post('/api/certifications').send({ imp_uid: impUid }).expect(200);
  const refused = await request(http).post('/api/users').send({ verification_token: view.body.verification_token }).expect(403);
  expect(refused.body.error).toMatchObject({ code: 'AGE_RESTRICTED', details: { min_age: 19, policy: 'international' } });
});

it('serves its own OpenAPI document with the libs\' routes under its prefix, and the Swagger UI on Express', async () => {
  const doc = (await request(http).get('/docs-json').expect(200)).body as {
    paths: Record<string, Record<string, { responses: Record<string, { 'x-error-codes'?: string[] }> }>>;
  };
  expect(Object.keys(doc.paths)).toEqual(
    expect.arrayContaining([
      '/api/certifications/otp/request',
      '/api/certifications/otp/confirm/{imp_uid}',
      '/api/certifications',
      '/api/certifications/redirect',
      '/api/users',
      '/api/admin/certifications',
      '/api/members/{id}',
    ]),
  );
  expect(doc.paths['/api/users'].post.responses['409']['x-error-codes']?.sort()).toEqual(['ALREADY_REGISTERED', 'VERIFICATION_USED']);
  expect(doc.paths['/api/members/{id}'].get.responses['404']['x-error-codes']).toEqual(['MEMBER_NOT_FOUND']);
  const ui = await request(http).get('/docs').expect(200);
  expect(ui.headers['content-type']).toMatch(/text\/html/);
  const bundle = await request(http).get('/docs/swagger-ui-bundle.js').expect(200);
  expect(bundle.headers['content-type']).toMatch(/javascript/);
});

describe('the dozen lines of docs/ecosystem.md (examples/monolith/src/minimal-host.module.ts)', () => {
  let minimalDb: TestDatabase;
  let minimal: BootedHost;

  beforeAll(async () => {
    minimalDb = await createTestDatabase();
    const keys = generateKeyMaterial();
    // That module reads process.env through ConfigModule, as a host would: its process's environment.
    const env: Record<string, string> = {
      DATABASE_URL: minimalDb.url,
      PII_ENCRYPTION_KEYS: keys.encryptionKeys,
      PII_HMAC_KEY: keys.hmacKey,
      IAMPORT_BASE_URL: sandbox.url,
      IAMPORT_IMP_KEY: 'host_imp_key',
      IAMPORT_IMP_SECRET: 'host_imp_secret',
      SERVICE_NAME: '최소 호스트',
    };
    minimal = await bootExample('minimal', env);
  }, 60_000);

  afterAll(async () => {
    await minimal?.proc.stop();
    await minimalDb?.drop();
  });

  it('boots on Express and performs a whole OTP signup', async () => {
    expect(minimal.report.adapter).toBe('express');
    const server = minimal.report.url;
    const phone = freshPhone();
    const requested = await request(server)
      .post('/certifications/otp/request')
      .send({ name: '홍길동', phone, birth: '900101', gender_digit: '1', carrier: 'LGT', is_mvno: true })
      .expect(201);
    const otp = await otpFor(phone, requested.body.imp_uid);
    const confirmed = await request(server).post(`/certifications/otp/confirm/${requested.body.imp_uid}`).send({ otp }).expect(200);
    const created = await request(server).post('/users').send({ verification_token: confirmed.body.verification_token }).expect(201);
    expect(created.body).toEqual({ id: expect.any(String), created_at: expect.any(String) });
    const invalid = await request(server).post('/users').send({ verification_token: 'x', extra: 1 }).expect(400);
    expect(invalid.body.error.code).toBe('VALIDATION_FAILED');
    const [row] = await queryDb(minimal, 'SELECT count(*)::int AS n FROM users');
    expect(row).toEqual({ n: 1 });
  });
});
