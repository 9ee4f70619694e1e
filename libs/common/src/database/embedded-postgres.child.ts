/**
 * The embedded database's own process (started by embedded-postgres.ts, never imported):
 * `initdb DIR` creates a database in DIR and exits, so initdb's memory peak leaves with it;
 * `serve DIR` opens DIR, serves it over the wire protocol on a loopback port, prints
 * {"url": ...} on stdout, and stops on SIGTERM/SIGINT or when its parent goes away (stdin ends).
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { EMBEDDED_START_PARAMS } from './embedded-postgres.params';

async function main(mode: string | undefined, dataDir: string | undefined): Promise<void> {
  if (!dataDir || (mode !== 'initdb' && mode !== 'serve')) throw new Error('usage: embedded-postgres.child (initdb|serve) DIR');
  if (mode === 'initdb') {
    const db = await PGlite.create({ dataDir, startParams: EMBEDDED_START_PARAMS });
    await db.close();
    return;
  }
  const db = await PGlite.create({ dataDir, startParams: EMBEDDED_START_PARAMS });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  process.stdout.write(JSON.stringify({ url: `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable` }) + '\n');
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.stop().catch(() => undefined);
    await db.close().catch(() => undefined); // writes the last checkpoint
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
}

main(process.argv[2], process.argv[3]).then(
  () => {
    if (process.argv[2] === 'initdb') process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`embedded database: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
