/**
 * @iamport-identity/nest in a Nest application outside the repository: `npm run pack`, a fresh
 * app in a temporary folder (its own package.json, tsconfig and TypeORM connection) made of the
 * files of README.md's "Use it in your Nest app", `npm install <tarball>` as the README says,
 * compiled with tsc against the package's .d.ts, then booted as its own process: the package's
 * migrations, a whole OTP signup against the sandbox and an admin lookup. Once on Express, once
 * on Fastify.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { generateAdminKey } from '@app/admin';
import { generateKeyMaterial } from '@app/pii';
import { MIGRATIONS } from '../../migrations/migrations';
import { describeIf, serverDatabaseMissing } from '../support/availability';
import { freePort } from '../support/processes';
import { npm, packIdentity, readmeHostFiles, readmeInstallArgs, repoVersion, startIn, tsc, waitForHttp, type HostProcess } from '../support/package-host';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

const SANDBOX_MAIN = join(process.cwd(), 'dist/apps/iamport-sandbox/src/main.js');
const sandboxMissing = existsSync(SANDBOX_MAIN) ? null : `${SANDBOX_MAIN} is missing: run \`npm run build\` first`;
const PEERS = ['@nestjs/common', '@nestjs/core', '@nestjs/config', '@nestjs/schedule', '@nestjs/swagger', '@nestjs/typeorm', 'typeorm', 'pg', 'class-validator', 'class-transformer', 'reflect-metadata', 'rxjs'];
const PLATFORM = { express: '@nestjs/platform-express', fastify: '@nestjs/platform-fastify' } as const;
type Variant = keyof typeof PLATFORM;
const KEYS = { impKey: 'pkg_imp_key', impSecret: 'pkg_imp_secret' };
const admin = generateAdminKey({ id: 'ops', scopes: ['verifications:read'] });

let work: string;
let tarball: string;
let sandbox: HostProcess;
let sandboxUrl: string;

function hostPackageJson(variant: Variant): string {
  const dependencies = Object.fromEntries([...PEERS, PLATFORM[variant]].map((name) => [name, repoVersion(name)]));
  return JSON.stringify({ name: `identity-host-${variant}`, private: true, dependencies, devDependencies: { '@types/node': repoVersion('@types/node') } }, null, 2);
}

const HOST_TSCONFIG = JSON.stringify({
  compilerOptions: {
    module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2023', strict: true, experimentalDecorators: true,
    emitDecoratorMetadata: true, esModuleInterop: true, skipLibCheck: true, types: ['node'], rootDir: 'src', outDir: 'dist',
  },
  include: ['src/**/*.ts'],
});

async function createHost(variant: Variant): Promise<string> {
  const dir = join(work, `host-${variant}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), hostPackageJson(variant));
  writeFileSync(join(dir, 'tsconfig.json'), HOST_TSCONFIG);
  const files = readmeHostFiles(variant);
  expect(Object.keys(files).sort()).toEqual(['src/app.module.ts', 'src/main.ts']);
  for (const [path, code] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), code);
  }
  // README: `npm install ./iamport-identity-nest-<version>.tgz`, the tarball next to the app.
  execFileSync('cp', [tarball, dir]);
  const args = readmeInstallArgs();
  expect(args).toEqual([`./${tarball.split('/').pop()}`]);
  await npm(dir, ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', ...args]);
  await tsc(join(dir, 'tsconfig.json'));
  return dir;
}

let phoneSeq = 0;
function freshPhone(): string {
  phoneSeq += 1;
  const digits = String(10_000_000 + ((process.pid * 7919 + phoneSeq * 104_729 + Date.now()) % 90_000_000)).slice(-8);
  return `010${digits.endsWith('0000') ? `${digits.slice(0, 4)}1234` : digits}`;
}

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
}

describeIf('the package in a host outside the repository', serverDatabaseMissing(), sandboxMissing)('@iamport-identity/nest in a fresh Nest app', () => {
  const hosts: Partial<Record<Variant, string>> = {};
  const running: Partial<Record<Variant, { db: TestDatabase; host: HostProcess; base: string }>> = {};

  async function boot(variant: Variant): Promise<void> {
    const db = await createTestDatabase();
    const keys = generateKeyMaterial();
    const port = await freePort();
    const host = startIn(hosts[variant]!, 'dist/main.js', {
      PORT: String(port),
      DATABASE_URL: db.url,
      PII_ENCRYPTION_KEYS: keys.encryptionKeys,
      PII_HMAC_KEY: keys.hmacKey,
      IAMPORT_BASE_URL: sandboxUrl,
      IAMPORT_IMP_KEY: KEYS.impKey,
      IAMPORT_IMP_SECRET: KEYS.impSecret,
      SERVICE_NAME: '패키지 호스트',
      ADMIN_API_KEYS: admin.entry,
    });
    running[variant] = { db, host, base: `http://127.0.0.1:${port}` };
    await waitForHttp(`${running[variant]!.base}/users`, host, 90_000);
  }

  beforeAll(async () => {
    const started = Date.now();
    work = mkdtempSync(join(tmpdir(), 'identity-host-'));
    tarball = await packIdentity(join(work, 'pack'));
    const port = await freePort();
    sandbox = startIn(work, SANDBOX_MAIN, { SANDBOX_PORT: String(port), SANDBOX_LOG: 'off', SANDBOX_IMP_KEY: KEYS.impKey, SANDBOX_IMP_SECRET: KEYS.impSecret });
    sandboxUrl = `http://127.0.0.1:${port}`;
    const [express, fastify] = await Promise.all([createHost('express'), createHost('fastify'), waitForHttp(`${sandboxUrl}/__sandbox/stats`, sandbox)]);
    Object.assign(hosts, { express, fastify });
    const installed = Date.now();
    await Promise.all([boot('express'), boot('fastify')]);
    const seconds = (since: number) => Math.round((Date.now() - since) / 1000);
    process.stdout.write(`\n[package] packed, installed and compiled two hosts in ${seconds(started) - seconds(installed)} s, booted them in ${seconds(installed)} s\n`);
  }, 360_000);

  afterAll(async () => {
    for (const { host, db } of Object.values(running)) {
      await host.stop();
      await db.drop();
    }
    await sandbox?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs compiled JavaScript and declarations only, an export per lib, the peers as peers', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files.filter((f) => !/^dist\/.+\.(js|d\.ts)$/.test(f)).sort()).toEqual(['CHANGELOG.md', 'README.md', 'package.json']);
    expect(files.filter((f) => /(\.spec\.|\.e2e-spec\.|(^|\/)(test|testing|bench)\/|\.map$|\.tsbuildinfo$|embedded-(postgres|template))/.test(f))).toEqual([]);
    const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as {
      exports: Record<string, unknown>;
      peerDependencies: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.exports).sort()).toEqual(
      ['./admin', './age-policy', './certification', './common', './iamport', './migrations', './package.json', './pii', './portone', './user'],
    );
    for (const name of PEERS.filter((p) => p !== '@nestjs/config')) expect(pkg.peerDependencies[name]).toBe(`^${repoVersion(name)}`);
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@nestjs/axios', '@portone/server-sdk', 'axios', 'cockatiel']);

    // the path aliases are rewritten, and every package the JavaScript requires is declared
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
    const dist = join(unpacked, 'package', 'dist');
    const required = new Set<string>();
    for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(js|d\.ts)$/.test(f))) {
      const text = readFileSync(join(dist, file), 'utf8');
      expect({ file, alias: /(require\(|from |import\()["']@app\//.test(text) }).toEqual({ file, alias: false });
      for (const m of text.matchAll(/require\("([^".][^"]*)"\)/g)) required.add(m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0]);
    }
    const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
    expect([...required].filter((name) => !name.startsWith('node:') && !declared.has(name))).toEqual([]);
  });

  describe.each(['express', 'fastify'] as const)('a host on %s', (variant) => {
    let db: TestDatabase;
    let host: HostProcess;
    let base: string;

    beforeAll(() => {
      ({ db, host, base } = running[variant]!);
    });

    it(`installed the package with one copy of each peer, and only ${PLATFORM[variant]}`, () => {
      const dir = hosts[variant]!;
      const installed = join(dir, 'node_modules', '@iamport-identity', 'nest');
      expect(readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
      expect(existsSync(join(installed, 'node_modules'))).toBe(false);
      for (const name of PEERS) expect(existsSync(join(dir, 'node_modules', name, 'package.json'))).toBe(true);
      expect(existsSync(join(dir, 'node_modules', PLATFORM[variant]))).toBe(true);
      const other = variant === 'express' ? PLATFORM.fastify : PLATFORM.express;
      expect(existsSync(join(dir, 'node_modules', other))).toBe(false);
    });

    it("ran the package's migrations on the host's database (runIdentityMigrations)", async () => {
      const client = new Client({ connectionString: db.url });
      await client.connect();
      try {
        const applied = await client.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
        expect(applied.rows.map((r) => r.name)).toEqual(MIGRATIONS.map((M) => new M().name));
        const tables = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
        expect(tables.rows.map((r) => r.table_name)).toEqual(
          expect.arrayContaining(['audit_log', 'certifications', 'upstream_deletions', 'users', 'verification_tokens']),
        );
      } finally {
        await client.end();
      }
    });

    it('completes a whole OTP signup through the host, and an admin lookup of the person', async () => {
      const phone = freshPhone();
      const requested = await call(base, 'POST', '/certifications/otp/request', { name: '홍길동', phone, birth: '1990-01-01', gender_digit: '1', carrier: 'SKT' });
      expect(requested).toEqual({ status: 201, body: { imp_uid: expect.stringMatching(/^imp_/), expires_at: expect.any(String) } });
      const impUid = requested.body.imp_uid as string;
      const inbox = (await (await fetch(`${sandboxUrl}/__sandbox/inbox?phone=${phone}`)).json()) as { messages: Array<{ imp_uid: string; otp: string }> };
      const otp = inbox.messages.find((m) => m.imp_uid === impUid)!.otp;

      const wrong = await call(base, 'POST', `/certifications/otp/confirm/${impUid}`, { otp: otp === '000000' ? '111111' : '000000' });
      expect({ status: wrong.status, code: wrong.body.error?.code, left: wrong.body.error?.details?.attempts_left }).toEqual({ status: 400, code: 'OTP_MISMATCH', left: 4 });
      const confirmed = await call(base, 'POST', `/certifications/otp/confirm/${impUid}`, { otp });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toMatchObject({ status: 'verified', name: '홍*동', birthday: '1990-01-01', gender: 'male' });

      const invalid = await call(base, 'POST', '/users', { verification_token: confirmed.body.verification_token, extra: 1 });
      expect({ status: invalid.status, code: invalid.body.error?.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
      const created = await call(base, 'POST', '/users', { verification_token: confirmed.body.verification_token, nickname: '길동' });
      expect(created).toEqual({ status: 201, body: { id: expect.any(String), created_at: expect.any(String) } });
      const again = await call(base, 'POST', '/users', { verification_token: confirmed.body.verification_token });
      expect({ status: again.status, code: again.body.error?.code }).toEqual({ status: 409, code: 'VERIFICATION_USED' });

      const auth = { authorization: `Bearer ${admin.key}` };
      expect((await call(base, 'GET', '/admin/certifications')).status).toBe(401);
      const list = await call(base, 'GET', '/admin/certifications?status=used', undefined, auth);
      expect(list.status).toBe(200);
      // After a signup the account holds the only copy of the personal data (the verification's is erased).
      expect(list.body.items).toEqual([expect.objectContaining({ imp_uid: impUid, name: null, status: 'used' })]);
      const user = await call(base, 'GET', `/admin/users/${created.body.id}`, undefined, auth);
      expect(user.status).toBe(200);
      expect(user.body).toMatchObject({ id: created.body.id, name: '홍*동', nickname: '길동', certification: { imp_uid: impUid, flow: 'otp', status: 'used' } });
      expect(JSON.stringify(user.body)).not.toContain(phone);
    });

    it('logs no personal data of the signup', () => {
      expect(host.output()).not.toMatch(/홍길동|010\d{8}|verification_token/);
    });
  });
});
