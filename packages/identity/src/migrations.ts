import { DataSource, type DataSourceOptions, type MigrationInterface } from 'typeorm';
import { MIGRATION_LOCK_KEY } from '@app/common';
import { MIGRATIONS } from './migrations';

/** The schema of the identity modules, oldest first: list them before the host's own migrations. */
export const IDENTITY_MIGRATIONS: ReadonlyArray<new () => MigrationInterface> = [...MIGRATIONS];

/**
 * Applies the pending identity migrations to the host's database (never `synchronize`), under the
 * same advisory lock as the api so instances booting together run them once. They are recorded in
 * the host's migrations table, so listing IDENTITY_MIGRATIONS in the host's TypeORM `migrations`
 * later finds them applied. Returns the names it ran.
 */
export async function runIdentityMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = new DataSource({
    ...dataSource.options,
    entities: [],
    subscribers: [],
    migrations: [...IDENTITY_MIGRATIONS],
    migrationsRun: false,
    synchronize: false,
    dropSchema: false,
  } as DataSourceOptions);
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await runner.initialize();
    const done = await runner.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    if (runner.isInitialized) await runner.destroy();
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
}
