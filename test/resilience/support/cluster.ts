import { existsSync, statSync } from 'node:fs';
import { Client } from 'pg';
import { generateKeyMaterial } from '@app/pii';
import { IamportSandbox } from '../../../apps/iamport-sandbox/src/sandbox';
import { freePort, startNode, waitForOk, type Proc } from '../../support/processes';
import { createTestDatabase, type TestDatabase } from '../../support/test-db';

export const API_MAIN = 'dist/apps/api/src/main.js';

/** Limits out of the way, for tests that are not about them. */
export const HIGH_LIMITS: Record<string, string> = {
  OTP_SEND_LIMIT_PER_IP: '100000',
  OTP_SEND_LIMIT_PER_PHONE: '1000',
  OTP_CONFIRM_LIMIT_PER_IP: '100000',
  SIGNUP_LIMIT_PER_IP: '100000',
};

/**
 * Why a process-level test cannot run here (printed, then the test is skipped), or null:
 * the compiled api must exist (`npm test` builds first; a direct jest run needs
 * `npm run build`), and several processes need a PostgreSQL server (TEST_DATABASE_URL or the
 * container), not the single-connection PGlite.
 */
export function processTestsUnavailable(db: TestDatabase | null): string | null {
  if (!existsSync(API_MAIN)) return `${API_MAIN} is missing: run \`npm run build\` first`;
  if (db && db.kind !== 'server') return 'several api processes need a PostgreSQL server (set TEST_DATABASE_URL)';
  return null;
}

/** Warns when the compiled api is older than a source file (a forgotten `npm run build`). */
export function warnIfStaleBuild(): void {
  if (!existsSync(API_MAIN)) return;
  const built = statSync(API_MAIN).mtimeMs;
  const sources = ['apps/api/src/app.module.ts', 'apps/api/src/main.ts', 'libs/certification/src/certification.service.ts', 'libs/user/src/user.service.ts'];
  const newer = sources.filter((s) => existsSync(s) && statSync(s).mtimeMs > built);
  if (newer.length) process.stdout.write(`\n[resilience] WARNING: ${API_MAIN} is older than ${newer.join(', ')}: run \`npm run build\`\n`);
}

/** The shared pieces of a deployment: one database, one upstream (sandbox), one set of keys. */
export class Deployment {
  readonly keys = generateKeyMaterial();
  readonly apis: ApiProcess[] = [];

  private constructor(
    readonly db: TestDatabase,
    readonly sandbox: IamportSandbox,
    readonly sandboxUrl: string,
  ) {}

  static async create(): Promise<Deployment> {
    const db = await createTestDatabase();
    const sandbox = new IamportSandbox({ logger: { log: () => undefined } });
    const url = await sandbox.listen(0);
    return new Deployment(db, sandbox, url);
  }

  /** Starts `node dist/apps/api/src/main.js` on a free port against this deployment. */
  async startApi(env: Record<string, string> = {}, label = `api${this.apis.length + 1}`): Promise<ApiProcess> {
    const port = await freePort();
    const proc = startNode(API_MAIN, {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      LOG_PRETTY: 'false',
      DATABASE_URL: this.db.url,
      DATABASE_POOL_SIZE: '10',
      IAMPORT_BASE_URL: this.sandboxUrl,
      IAMPORT_IMP_KEY: 'sandbox_imp_key',
      IAMPORT_IMP_SECRET: 'sandbox_imp_secret',
      PII_ENCRYPTION_KEYS: this.keys.encryptionKeys,
      PII_HMAC_KEY: this.keys.hmacKey,
      REDIS_URL: '',
      ...env,
    });
    const api = new ApiProcess(label, `http://127.0.0.1:${port}`, proc);
    this.apis.push(api);
    await waitForOk(`${api.url}/health/live`, 60_000, proc);
    return api;
  }

  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.db.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async sandboxCall<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${this.sandboxUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async stats(): Promise<{ calls: Record<string, number>; sms_sent: number }> {
    return (await this.sandboxCall<{ calls: Record<string, number>; sms_sent: number }>('GET', '/__sandbox/stats')).body;
  }

  async latestOtp(phone: string, impUid: string): Promise<string> {
    const res = await this.sandboxCall<{ messages: Array<{ imp_uid: string; otp: string }> }>(
      'GET',
      `/__sandbox/inbox?phone=${encodeURIComponent(phone)}`,
    );
    const message = res.body.messages.find((m) => m.imp_uid === impUid);
    if (!message) throw new Error(`no OTP in the sandbox inbox for ${impUid}`);
    return message.otp;
  }

  async fault(rule: Record<string, unknown>): Promise<void> {
    const res = await this.sandboxCall('POST', '/__sandbox/faults', rule);
    if (res.status !== 200) throw new Error(`fault refused: ${res.status} ${JSON.stringify(res.body)}`);
  }

  async clearFaults(): Promise<void> {
    await this.sandboxCall('DELETE', '/__sandbox/faults');
  }

  /** The upstream's own view of a certification (with a token of the test's own). */
  async upstreamCertification(impUid: string): Promise<{ certified: boolean } | null> {
    const token = await this.sandboxCall<{ response: { access_token: string } }>('POST', '/users/getToken', {
      imp_key: 'sandbox_imp_key',
      imp_secret: 'sandbox_imp_secret',
    });
    const res = await this.sandboxCall<{ response: { certified: boolean } | null }>(
      'GET',
      `/certifications/${impUid}`,
      undefined,
      token.body.response.access_token,
    );
    return res.status === 200 ? res.body.response : null;
  }

  /** Stops every api still running (SIGKILL: tests that care stop theirs themselves), the sandbox, the database. */
  async close(): Promise<void> {
    for (const api of this.apis) api.kill('SIGKILL');
    await Promise.all(this.apis.map((a) => a.proc.exited));
    await this.sandbox.close();
    await this.db.drop();
  }
}

export class ApiProcess {
  constructor(
    readonly label: string,
    readonly url: string,
    readonly proc: Proc,
  ) {}

  get running(): boolean {
    return this.proc.child.exitCode === null && this.proc.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.proc.child.kill(signal);
  }

  output(): string {
    return this.proc.output();
  }
}

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
  ms: number;
  /** A transport failure (connection refused or reset) instead of an answer. */
  error?: string;
}

/** One JSON request with fetch; never throws (a transport failure comes back as status 0). */
export async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<ApiAnswer<T>> {
  const started = performance.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers, ms: performance.now() - started };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return {
      status: 0,
      body: null as T,
      headers: new Headers(),
      ms: performance.now() - started,
      error: cause?.code ?? (error as Error).name,
    };
  }
}

let phoneSeq = 0;
const phoneBase = Math.floor(Math.random() * 90000000);
/** A fresh mobile number (never ending in 0000, which the sandbox's carrier refuses). */
export function freshPhone(): string {
  phoneSeq += 1;
  const n = (phoneBase + phoneSeq * 104729) % 90000000;
  const digits = String(10000000 + n).slice(-8);
  return `010${digits.endsWith('0000') ? digits.slice(0, 4) + '1234' : digits}`;
}
