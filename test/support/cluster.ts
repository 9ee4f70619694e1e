import { Client } from 'pg';
import { generateKeyMaterial } from '@app/pii';
import { IamportSandbox } from '../../apps/iamport-sandbox/src/sandbox';
import { API_MAIN } from './availability';
import { freePort, startNode, waitForOk, type Proc } from './processes';
import { SandboxControl } from './sandbox-control';
import { createTestDatabase, type TestDatabase } from './test-db';

/** The shared pieces of a deployment: one database, one upstream (sandbox), one set of keys. */
export class Deployment {
  readonly keys = generateKeyMaterial();
  readonly apis: ApiProcess[] = [];
  readonly control: SandboxControl;

  private constructor(
    readonly db: TestDatabase,
    readonly sandbox: IamportSandbox,
    readonly sandboxUrl: string,
  ) {
    this.control = new SandboxControl(sandboxUrl);
  }

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

  sandboxCall<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
    return this.control.call<T>(method, path, body, token);
  }

  stats(): Promise<{ calls: Record<string, number>; sms_sent: number }> {
    return this.control.stats();
  }

  latestOtp(phone: string, impUid: string): Promise<string> {
    return this.control.latestOtp(phone, impUid);
  }

  async fault(rule: Record<string, unknown>): Promise<void> {
    await this.control.fault(rule);
  }

  clearFaults(): Promise<void> {
    return this.control.clearFaults();
  }

  /** The upstream's own view of a certification (with a token of the test's own). */
  async upstreamCertification(impUid: string): Promise<{ certified: boolean } | null> {
    const res = await this.control.certification<{ certified: boolean }>(impUid);
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
