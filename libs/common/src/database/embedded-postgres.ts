import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { EMBEDDED_START_PARAMS } from './embedded-postgres.params';
import { copyEmbeddedTemplate } from './embedded-template';

export interface EmbeddedPostgres {
  /** A `postgres://` URL the `pg` driver connects to. */
  readonly url: string;
  /** How this boot made the data folder: from the build's template, by initdb, or not at all (it existed, or in memory). */
  readonly created: 'template' | 'initdb' | null;
  close(): Promise<void>;
}

/**
 * Real PostgreSQL (PGlite, compiled to WASM) in this process, served over the PostgreSQL wire
 * protocol on a loopback port by `@electric-sql/pglite-socket`, so the app reaches it through
 * the same `pg` driver and TypeORM code path as a server.
 *
 * A fresh data folder is a copy of the template `npm run build` made (embedded-template.ts), so
 * the first boot runs no initdb; without one, initdb runs in a short-lived child process
 * (embedded-postgres.child.ts), so its ~800 MB peak does not stay in this one. Shared buffers are
 * 16 MB (docs/performance.md, "Embedded default").
 *
 * PGlite is one session: the socket server accepts a single connection at a time, so the
 * TypeORM pool that talks to it must have exactly one connection. That keeps transactions
 * meaningful (nothing else interleaves inside one), at the cost of serialising queries.
 *
 * @param dataDir folder for the database files; omit for an in-memory database (tests).
 * @param options.template false: create a fresh folder by initdb even when the build made a template.
 */
export async function startEmbeddedPostgres(dataDir?: string, options: { template?: boolean } = {}): Promise<EmbeddedPostgres> {
  const { db, created } = dataDir
    ? await openDataDir(dataDir, options.template !== false)
    : { db: await PGlite.create({ startParams: EMBEDDED_START_PARAMS }), created: null };
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  let closed = false;
  return {
    url,
    created,
    async close() {
      if (closed) return;
      closed = true;
      await server.stop();
      await db.close();
    },
  };
}

/**
 * The database in `dataDir`, created first when the folder holds none. A creation that did not
 * finish (its marker beside the folder is still there) is wiped and started again.
 */
async function openDataDir(dataDir: string, useTemplate: boolean): Promise<{ db: PGlite; created: EmbeddedPostgres['created'] }> {
  const creating = `${dataDir}.creating`;
  if (existsSync(creating)) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  if (existsSync(join(dataDir, 'PG_VERSION'))) return { db: await PGlite.create({ dataDir, startParams: EMBEDDED_START_PARAMS }), created: null };
  writeFileSync(creating, '');
  if (useTemplate && copyEmbeddedTemplate(dataDir)) {
    try {
      const db = await PGlite.create({ dataDir, startParams: EMBEDDED_START_PARAMS });
      rmSync(creating, { force: true });
      return { db, created: 'template' };
    } catch {
      // A template PGlite does not open: the copy goes, and initdb makes the folder as without one.
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
    }
  }
  await initdbInChild(dataDir);
  const db = await PGlite.create({ dataDir, startParams: EMBEDDED_START_PARAMS });
  rmSync(creating, { force: true });
  return { db, created: 'initdb' };
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
