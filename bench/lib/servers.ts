import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, NodeChild } from './processes';

/** The bench's own upstream credentials: production mode refuses the sandbox's defaults. */
export const BENCH_UPSTREAM_CREDENTIALS = { impKey: 'bench_imp_key', impSecret: 'bench_imp_secret', portoneApiSecret: 'bench_portone_secret' };
// The in-process sandbox answers on loopback http.
const BENCH_UPSTREAM_ENV = {
  IAMPORT_IMP_KEY: BENCH_UPSTREAM_CREDENTIALS.impKey,
  IAMPORT_IMP_SECRET: BENCH_UPSTREAM_CREDENTIALS.impSecret,
  ALLOW_INSECURE_UPSTREAM: 'true',
};

/** dist/ root (this file is dist/bench/lib/servers.js once built). */
export const DIST = join(__dirname, '..', '..');

export interface StartedServer {
  url: string;
  child: NodeChild;
  stop(): Promise<void>;
}

export interface ApiStartOptions {
  /** null: the embedded PGlite default (no DATABASE_URL). */
  databaseUrl: string | null;
  poolSize: number;
  sandboxUrl: string;
  pii?: { encryptionKeys: string; hmacKey: string };
  adminApiKeys?: string;
  cpuProfDir?: string | null;
  extraEnv?: Record<string, string>;
  /** Default: this build's dist/apps/api/src/main.js. */
  main?: string | null;
  nodeOptions?: string | null;
  /** IDENTITY_PROVIDER of the api: `portone` talks to the sandbox's V2. Default iamport. */
  provider?: 'iamport' | 'portone';
}

/** Limits of one client address raised: every virtual user of the bench comes from 127.0.0.1. */
const LOAD_LIMITS = {
  OTP_SEND_LIMIT_PER_IP: '100000',
  WINDOW_START_LIMIT_PER_IP: '100000',
  OTP_CONFIRM_LIMIT_PER_IP: '100000',
  SIGNUP_LIMIT_PER_IP: '100000',
};

/** PortOne V2 on the sandbox, for the api and the baseline alike. */
function portoneEnv(sandboxUrl: string): NodeJS.ProcessEnv {
  return {
    IDENTITY_PROVIDER: 'portone',
    PORTONE_BASE_URL: sandboxUrl,
    PORTONE_API_SECRET: BENCH_UPSTREAM_CREDENTIALS.portoneApiSecret,
    PORTONE_STORE_ID: 'store-sandbox',
    PORTONE_CHANNEL_KEY: 'channel-key-sandbox',
  };
}

function baseEnv(): NodeJS.ProcessEnv {
  // Only what a node process needs from ours: no DATABASE_URL or keys leak into the children.
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return env;
}

/** `node dist/apps/api/src/main.js` on a loopback port, ready (GET /health/live answered). */
export async function startApi(o: ApiStartOptions): Promise<StartedServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    // The embedded database is development-only (production refuses to boot without DATABASE_URL).
    NODE_ENV: o.databaseUrl ? 'production' : 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    IAMPORT_BASE_URL: o.sandboxUrl,
    ...BENCH_UPSTREAM_ENV,
    ...LOAD_LIMITS,
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl, DATABASE_POOL_SIZE: String(o.poolSize) } : {}),
    ...(o.pii ? { PII_ENCRYPTION_KEYS: o.pii.encryptionKeys, PII_HMAC_KEY: o.pii.hmacKey } : {}),
    ...(o.adminApiKeys ? { ADMIN_API_KEYS: o.adminApiKeys } : {}),
    ...(o.cpuProfDir ? { BENCH_CPU_PROF_DIR: o.cpuProfDir, BENCH_CPU_PROF_NAME: 'api' } : {}),
    ...(o.nodeOptions ? { NODE_OPTIONS: o.nodeOptions } : {}),
    ...(o.provider === 'portone' ? portoneEnv(o.sandboxUrl) : {}),
    ...o.extraEnv,
  };
  const nodeArgs = o.cpuProfDir ? ['-r', join(DIST, 'bench', 'lib', 'cpu-profile-preload.js')] : [];
  const child = new NodeChild('api', o.main ?? join(DIST, 'apps', 'api', 'src', 'main.js'), env, nodeArgs);
  const url = `http://127.0.0.1:${port}`;
  try {
    await child.waitHealthy(`${url}/health/live`, 120_000);
  } catch (e) {
    await child.stop(2000);
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    child,
    async stop() {
      await child.stop(15_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BaselineStartOptions {
  databaseUrl: string;
  poolSize: number;
  sandboxUrl: string;
  pii: { encryptionKeys: string; hmacKey: string };
  cpuProfDir?: string | null;
  /** The provider the baseline speaks, as the api's IDENTITY_PROVIDER. Default iamport. */
  provider?: 'iamport' | 'portone';
}

export async function startBaseline(o: BaselineStartOptions): Promise<StartedServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: o.databaseUrl,
    DATABASE_POOL_SIZE: String(o.poolSize),
    IAMPORT_BASE_URL: o.sandboxUrl,
    ...BENCH_UPSTREAM_ENV,
    PII_ENCRYPTION_KEYS: o.pii.encryptionKeys,
    PII_HMAC_KEY: o.pii.hmacKey,
    ...(o.provider === 'portone' ? portoneEnv(o.sandboxUrl) : {}),
    ...(o.cpuProfDir ? { BENCH_CPU_PROF_DIR: o.cpuProfDir, BENCH_CPU_PROF_NAME: 'baseline' } : {}),
  };
  const nodeArgs = o.cpuProfDir ? ['-r', join(DIST, 'bench', 'lib', 'cpu-profile-preload.js')] : [];
  const child = new NodeChild('baseline', join(DIST, 'bench', 'baseline', 'server.js'), env, nodeArgs);
  const url = `http://127.0.0.1:${port}`;
  try {
    await child.waitHealthy(`${url}/health/live`, 30_000);
  } catch (e) {
    await child.stop(2000);
    throw e;
  }
  return { url, child, stop: () => child.stop(5000) };
}
