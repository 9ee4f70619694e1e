import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { EMBEDDED_START_PARAMS } from './embedded-postgres.params';

export interface EmbeddedPostgres {
  /** A `postgres://` URL the `pg` driver connects to. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Real PostgreSQL (PGlite, compiled to WASM) in this process, served over the PostgreSQL wire
 * protocol on a loopback port by `@electric-sql/pglite-socket`, so the app reaches it through
 * the same `pg` driver and TypeORM code path as a server.
 *
 * A fresh data folder is created by initdb in a short-lived child process
 * (embedded-postgres.child.ts), so initdb's ~500 MB peak (its WASM memory never shrinks) does not
 * stay in this one; shared buffers are 16 MB (docs/performance.md, "Embedded default").
 *
 * PGlite is one session: the socket server accepts a single connection at a time, so the
 * TypeORM pool that talks to it must have exactly one connection. That keeps transactions
 * meaningful (nothing else interleaves inside one), at the cost of serialising queries.
 *
 * @param dataDir folder for the database files; omit for an in-memory database (tests).
 */
export async function startEmbeddedPostgres(dataDir?: string): Promise<EmbeddedPostgres> {
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initdbInChild(dataDir);
  }
  const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), startParams: EMBEDDED_START_PARAMS });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  let closed = false;
  return {
    url,
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

async function initdbInChild(dataDir: string): Promise<void> {
  // No NODE_OPTIONS of the app's (a --cpu-prof or an inspector) in the initdb process.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [childScript(), dataDir], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  if (code !== 0) throw new Error(`embedded database: initdb in ${dataDir} failed (${code}): ${stderr.trim()}`);
}
