import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/** Arbitrary constant: the advisory lock key that serialises migrations across instances. */
export const MIGRATION_LOCK_KEY = 727_104_001;

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock taken on a separate
 * connection, so instances that boot together run them one after another: the first applies
 * them, the others then find nothing pending.
 *
 * With `lockUrl` unset (the embedded single-connection database, where a second connection is
 * impossible and only one process can use the data folder anyway) no lock is taken.
 */
export async function runMigrationsWithLock(dataSource: DataSource, lockUrl?: string): Promise<string[]> {
  if (!lockUrl) {
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  }
  const lock = new Client({ connectionString: lockUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}
