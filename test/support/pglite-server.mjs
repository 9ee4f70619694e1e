// Serves an in-memory PGlite database over the PostgreSQL wire protocol on a loopback port and
// prints {"url": ...} on stdout. Used by the tests when no PostgreSQL server is available:
// PGlite's WASM does not load inside Jest's VM sandbox, so it runs in this child process.
// One connection at a time (PGlite is a single session): clients must use a pool of one.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const dataDir = process.argv[2];
const db = await PGlite.create(dataDir ? { dataDir } : {});
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
await server.start();
process.stdout.write(JSON.stringify({ url: `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable` }) + '\n');
const stop = async () => {
  await server.stop().catch(() => undefined);
  await db.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop); // the parent went away
process.stdin.resume();
