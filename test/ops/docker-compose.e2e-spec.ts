/**
 * docker-compose.yml and the Dockerfile without a Docker engine: `compose config` when a compose
 * is installed (test/ops/install-compose.sh), and a structural check of both files always.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { itIf } from '../support/availability';

const ROOT = process.cwd();
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const PLACEHOLDERS = {
  PII_ENCRYPTION_KEYS: 'k1:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=',
  PII_HMAC_KEY: 'MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=',
};

type Compose = { command: string; args: string[]; version: string };

function findCompose(): Compose | null {
  for (const [command, args] of [
    ['docker', ['compose']],
    ['docker-compose', []],
  ] as const) {
    const probe = spawnSync(command, [...args, 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return { command, args: [...args], version: probe.stdout.trim().split('\n')[0] };
  }
  return null;
}

function say(line: string): void {
  process.stdout.write(`\n[ops] ${line}\n`);
}

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
}

describe('docker-compose.yml', () => {
  const compose = findCompose();
  const itWithCompose = itIf('docker compose config', compose ? null : 'no `docker compose` / `docker-compose` installed (test/ops/install-compose.sh installs one)');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ops-compose-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function runConfig(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
    // An env file of our own, so a developer's .env never takes part.
    const envFile = join(dir, `env-${Object.keys(env).length}`);
    writeFileSync(envFile, Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    const result = spawnSync(compose!.command, [...compose!.args, '--env-file', envFile, '-f', COMPOSE_FILE, 'config'], {
      encoding: 'utf8',
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  itWithCompose('is valid for Compose (`config`), when a compose is installed', () => {
    say(`docker-compose.yml validated by \`${[compose!.command, ...compose!.args].join(' ')} config\` (${compose!.version}) and structurally`);
    const ok = runConfig(PLACEHOLDERS);
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    // interpolated as intended
    expect(ok.stdout).toContain('DATABASE_URL: postgres://identity:identity-local-only@postgres:5432/identity');
    expect(ok.stdout).toContain('IAMPORT_BASE_URL: http://sandbox:4010');
    expect(ok.stdout).toContain(`PII_HMAC_KEY: ${PLACEHOLDERS.PII_HMAC_KEY}`);
  });

  itWithCompose('refuses to start without the PII keys (no default secret), when a compose is installed', () => {
    const missing = runConfig({ PII_HMAC_KEY: PLACEHOLDERS.PII_HMAC_KEY });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('PII_ENCRYPTION_KEYS');
  });

  describe('structure', () => {
    let services: Record<string, Service>;
    let text: string;
    beforeAll(async () => {
      text = readFileSync(COMPOSE_FILE, 'utf8');
      const { parse } = await import('yaml');
      const doc = parse(text) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
      services = doc.services;
    });

    it('has postgres 16, redis 7, the sandbox and the api, each with a health check', () => {
      expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'redis', 'sandbox']);
      expect(services.postgres.image).toBe('postgres:16');
      expect(String(services.postgres.healthcheck?.test)).toContain('pg_isready');
      expect(services.redis.image).toBe('redis:7');
      expect(services.redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
      expect(services.sandbox.environment?.SANDBOX_HOST).toBe('0.0.0.0');
      expect(services.sandbox.command).toEqual(['node', 'dist/apps/iamport-sandbox/src/main.js']);
      expect(String(services.sandbox.healthcheck?.test)).toContain('/__sandbox/health');
      expect(String(services.api.healthcheck?.test)).toContain('/health/ready');
      // one image, built from the Dockerfile, for the sandbox and the api
      expect(services.api.build).toBe('.');
      expect(services.sandbox.build).toBe('.');
      expect(services.sandbox.image).toBe(services.api.image);
    });

    it('wires the api to postgres, redis and the sandbox, and starts it once they are healthy', () => {
      const env = services.api.environment!;
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/identity:\$\{POSTGRES_PASSWORD:-[^}]+\}@postgres:5432\/identity$/);
      expect(env.REDIS_URL).toBe('redis://:${REDIS_PASSWORD:-redis-local-only}@redis:6379');
      expect(env.IAMPORT_BASE_URL).toBe('${IAMPORT_BASE_URL:-http://sandbox:4010}');
      expect(services.api.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        sandbox: { condition: 'service_healthy' },
      });
      for (const dependency of Object.keys(services.api.depends_on!)) {
        expect(services[dependency].healthcheck).toBeDefined();
      }
    });

    it('is for a laptop: the api in development against the sandbox, the sandbox on loopback only, Redis with a password', () => {
      // NODE_ENV=production refuses the sandbox (config) and the sandbox refuses production: the file agrees
      expect(services.api.environment!.NODE_ENV).toBe('development');
      expect(services.sandbox.environment!.NODE_ENV).toBe('development');
      for (const mapping of services.sandbox.ports ?? []) expect(mapping).toMatch(/^127\.0\.0\.1:/);
      for (const name of ['postgres', 'redis']) expect(services[name].ports).toBeUndefined();
      const redisCommand = services.redis.command as string[];
      expect(redisCommand.slice(redisCommand.indexOf('--requirepass'))).toEqual(['--requirepass', '${REDIS_PASSWORD:-redis-local-only}']);
      // the health check authenticates (redis-cli reads REDISCLI_AUTH)
      expect(services.redis.environment?.REDISCLI_AUTH).toBe('${REDIS_PASSWORD:-redis-local-only}');
      expect(services.api.environment!.REDIS_URL).toContain('${REDIS_PASSWORD:-redis-local-only}@');
      expect(text).toMatch(/LAPTOP ONLY/);
      expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/\*\*Laptop only\*\*: the compose api runs as `NODE_ENV=development`/);
    });

    it('commits no secret: the PII keys are required from the environment, with no default', () => {
      const env = services.api.environment!;
      expect(env.PII_ENCRYPTION_KEYS).toMatch(/^\$\{PII_ENCRYPTION_KEYS:\?[^}]+\}$/);
      expect(env.PII_HMAC_KEY).toMatch(/^\$\{PII_HMAC_KEY:\?[^}]+\}$/);
      expect(env.ADMIN_API_KEYS).toBe('${ADMIN_API_KEYS:-}');
      // nothing that looks like key material (32 bytes of base64) anywhere in the file
      expect(text).not.toMatch(/[A-Za-z0-9+/]{40,}={0,2}/);
    });
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('is multi-stage on node:24-bookworm-slim: build (npm ci + npm run build), production deps, runtime', () => {
    expect(instructions).toContain('ARG NODE_IMAGE=node:24-bookworm-slim');
    const stages = instructions.filter((l) => l.startsWith('FROM ')).map((l) => l.split(/\s+/).pop());
    expect(stages).toEqual(['build', 'deps', 'runtime']);
    const buildStage = instructions.slice(instructions.indexOf('FROM ${NODE_IMAGE} AS build'), instructions.indexOf('FROM ${NODE_IMAGE} AS deps'));
    expect(buildStage).toContain('RUN npm ci --no-audit --no-fund');
    // The embedded database's template is dropped: the image runs with NODE_ENV=production.
    expect(buildStage).toContain('RUN npm run build && rm -rf dist/embedded');
    expect(instructions.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
  });

  it('makes the image production by default (NODE_ENV=production in the runtime stage), with DATA_DIR 0700', () => {
    const runtime = instructions.slice(instructions.indexOf('FROM ${NODE_IMAGE} AS runtime'));
    expect(runtime.find((l) => l.startsWith('ENV '))).toMatch(/^ENV NODE_ENV=production\b/);
    expect(runtime.find((l) => l.includes('mkdir') && l.includes('/app/.data'))).toMatch(/mkdir -p -m 0700 \/app\/\.data/);
  });

  it('runs the api as the node user, with a HEALTHCHECK on /health/live', () => {
    const runtime = instructions.slice(instructions.indexOf('FROM ${NODE_IMAGE} AS runtime'));
    expect(runtime).toContain('USER node');
    expect(runtime[runtime.length - 1]).toBe('CMD ["node", "dist/apps/api/src/main.js"]');
    expect(runtime.find((l) => l.startsWith('HEALTHCHECK'))).toContain('/health/live');
    // only the compiled output and production node_modules are copied in
    expect(runtime.filter((l) => l.startsWith('COPY --from=')).map((l) => l.split(/\s+/)[1])).toEqual(['--from=deps', '--from=build']);
  });

  it('copies what `npm run build` needs into the build context (.dockerignore keeps secrets and local data out)', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const secretish of ['.env', '.env.*', '.data', 'node_modules', '.git']) expect(ignored).toContain(secretish);
    const include = (JSON.parse(execFileSync(process.execPath, ['-e', "process.stdout.write(JSON.stringify(require('./tsconfig.build.json').include))"], { cwd: ROOT, encoding: 'utf8' })) as string[])
      .map((pattern) => pattern.split('/')[0]);
    for (const folder of include) {
      expect(instructions).toContain(`COPY ${folder} ./${folder}`);
      expect(ignored).not.toContain(folder);
    }
  });
});
