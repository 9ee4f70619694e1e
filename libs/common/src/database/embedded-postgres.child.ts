/**
 * `node embedded-postgres.child.js DIR`: creates the embedded database in DIR (PGlite's initdb)
 * and exits, so initdb's memory peak leaves with this process (started by embedded-postgres.ts,
 * never imported).
 */
import { PGlite } from '@electric-sql/pglite';
import { EMBEDDED_START_PARAMS } from './embedded-postgres.params';

async function main(dataDir: string | undefined): Promise<void> {
  if (!dataDir) throw new Error('usage: embedded-postgres.child DIR');
  const db = await PGlite.create({ dataDir, startParams: EMBEDDED_START_PARAMS });
  await db.close();
}

main(process.argv[2]).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`embedded database initdb: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
