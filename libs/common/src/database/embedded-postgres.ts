import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

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
 * PGlite is one session: the socket server accepts a single connection at a time, so the
 * TypeORM pool that talks to it must have exactly one connection. That keeps transactions
 * meaningful (nothing else interleaves inside one), at the cost of serialising queries.
 *
 * @param dataDir folder for the database files; omit for an in-memory database (tests).
 */
export async function startEmbeddedPostgres(dataDir?: string): Promise<EmbeddedPostgres> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const conn = server.getServerConn(); // "127.0.0.1:PORT"
  const url = `postgres://postgres@${conn}/postgres?sslmode=disable`;
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
