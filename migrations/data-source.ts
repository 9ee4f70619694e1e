import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../apps/api/src/database';

/**
 * The DataSource the TypeORM CLI uses (`npm run migration:run`, `migration:revert`,
 * `migration:generate`), on the compiled output in dist/. It needs DATABASE_URL: the embedded
 * PGlite database lives inside the api process, which applies migrations itself at boot.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required for the migration commands');

export default new DataSource(dataSourceOptions({ url, poolSize: 1 }));
