import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations/migrations';
import { ENTITIES } from './entities';

/**
 * The api's TypeORM options: the `pg` driver, every entity, the migrations (run by the api at
 * boot under an advisory lock, never `synchronize`), no extension installs (PGlite has none;
 * uuids come from the built-in gen_random_uuid()). Used by the AppModule, the retention command
 * and the TypeORM CLI's DataSource.
 */
export function dataSourceOptions(database: { url: string; poolSize: number }): DataSourceOptions {
  return {
    type: 'postgres',
    url: database.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    installExtensions: false,
    extra: { max: database.poolSize, connectionTimeoutMillis: 10000 },
  };
}
