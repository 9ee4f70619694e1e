import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { EMBEDDED_START_PARAMS } from './embedded-postgres.params';

export interface EmbeddedPostgres {
  /** A `postgres://` URL the `pg` driver connects to. */
  readonly url: string;
  /** The database process's pid when it runs in its own process. */
  readonly pid: number | null;
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Called when the database's process ends without close() (the api cannot go on without it). */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * Real PostgreSQL (PGlite, compiled to WASM) served over the PostgreSQL wire protocol on a
 * loopback port by `@electric-sql/pglite-socket`, so the app reaches it through the same `pg`
 * driver and TypeORM code path as a server.
 *
 * With a data folder, the database runs in a child process (embedded-postgres.child.ts): its
 * WASM work runs on another core than the api's event loop, and a fresh folder's initdb runs in
 * a short-lived child of its own, so its ~500 MB peak is not kept by either. Without one (an
 * in-memory database for tests), it runs in this process.
 *
 * PGlite is one session: the socket server accepts a single connection at a time, so the
 * TypeORM pool that talks to it must have exactly one connection. That keeps transactions
 * meaningful (nothing else interleaves inside one), at the cost of serialising queries.
 *
 * @param dataDir folder for the database files; omit for an in-memory database (tests).
 */
export async function startEmbeddedPostgres(dataDir?: string, options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (!dataDir) return startInProcess();
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await runChild('initdb', dataDir);
  return startChild(dataDir, options);
}

async function startInProcess(): Promise<EmbeddedPostgres> {
  const db = await PGlite.create({ startParams: EMBEDDED_START_PARAMS });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  let closed = false;
  return {
    url,
    pid: null,
    async close() {
      if (closed) return;
      closed = true;
      await server.stop();
      await db.close();
    },
  };
}

/** The compiled child script: beside this file once built; from the sources (tests), the build's copy. */
function childScript(): string {
  const built = join('dist', 'libs', 'common', 'src', 'database', 'embedded-postgres.child.js');
  const candidates = [...(typeof __dirname === 'string' ? [join(__dirname, 'embedded-postgres.child.js')] : []), join(process.cwd(), built)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`embedded database: ${built} is missing (npm run build)`);
  return found;
}

function spawnChild(mode: 'initdb' | 'serve', dataDir: string): ChildProcess {
  const script = childScript();
  // No NODE_OPTIONS of the api's (a --cpu-prof or an inspector) in the database process.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return spawn(process.execPath, [script, mode, dataDir], { stdio: ['pipe', 'pipe', 'pipe'], env });
}

function collect(child: ChildProcess): () => string {
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err = (err + c.toString('utf8')).slice(-4000);
  });
  return () => err.trim();
}

async function runChild(mode: 'initdb', dataDir: string): Promise<void> {
  const child = spawnChild(mode, dataDir);
  const stderr = collect(child);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  if (code !== 0) throw new Error(`embedded database: initdb in ${dataDir} failed (${code}): ${stderr()}`);
}

async function startChild(dataDir: string, options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const child = spawnChild('serve', dataDir);
  const stderr = collect(child);
  let closing = false;
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout!.off('data', onData);
      try {
        resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
      } catch {
        reject(new Error(`embedded database: unexpected output ${JSON.stringify(out.slice(0, 200))}`));
      }
    };
    child.stdout!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`embedded database exited (${code}) before it was ready: ${stderr()}`)));
  });
  child.stdout!.resume();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('exit', (code, signal) => {
    if (!closing) options.onUnexpectedExit?.(code, signal);
  });
  return {
    url,
    pid: child.pid ?? null,
    async close() {
      if (closing) return exited;
      closing = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
