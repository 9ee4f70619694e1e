import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { rowsOf } from './rows';

/**
 * A hot statement, run as a named prepared statement of PostgreSQL's extended protocol.
 *
 * Why: planning dominates these statements. The signup's CTE, for instance, takes ~0.25-0.35 ms
 * to plan and ~0.05-0.1 ms to run (EXPLAIN ANALYZE, warm backend, PostgreSQL 15 on the bench
 * machine). `pg` parses a named statement once per connection and reuses it; after five
 * executions PostgreSQL keeps a generic plan when it is no worse than the custom ones, so a
 * busy pool stops parsing and planning them.
 *
 * The name is the identity on each connection: one name, one text (`definePreparedStatement`
 * refuses a second text under a name already defined in this process).
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

const defined = new Map<string, string>();

/** Defines a named statement (at module load): the same name twice must be the same text. */
export function definePreparedStatement(name: string, text: string): PreparedStatement {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new TypeError(`prepared statement name "${name}" must be snake_case`);
  const existing = defined.get(name);
  if (existing !== undefined && existing !== text) {
    throw new Error(`prepared statement "${name}" is already defined with another text`);
  }
  defined.set(name, text);
  return Object.freeze({ name, text });
}

const byText = new Map<string, PreparedStatement>();

/**
 * The prepared statement of a query whose text is built from a finite set of parts (e.g. one
 * WHERE clause per combination of filters; values always as parameters, never in the text):
 * named `<prefix>_<first 16 hex digits of the text's SHA-256>`, defined on first use.
 */
export function preparedStatementFor(prefix: string, text: string): PreparedStatement {
  const known = byText.get(text);
  if (known !== undefined) return known;
  const statement = definePreparedStatement(`${prefix}_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`, text);
  byText.set(text, statement);
  return statement;
}

const unnamed = new WeakSet<object>();

/**
 * Runs `queryPrepared`'s statements on this DataSource as unnamed statements (parsed and planned
 * every time): for a pool that does not keep a session's prepared statements, such as PgBouncer
 * in transaction mode before 1.21 (or without `max_prepared_statements`). The api does this
 * with DATABASE_PREPARED_STATEMENTS=off.
 */
export function disablePreparedStatements(dataSource: DataSource): void {
  unnamed.add(dataSource);
}

interface PgClientLike {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs `statement` with `values` outside any transaction (it commits on its own) and answers its
 * rows (also for INSERT/UPDATE ... RETURNING). On PostgreSQL the statement goes, under its name,
 * to the `pg` client of a TypeORM query runner; elsewhere it runs as a plain `DataSource.query`.
 * Errors are `pg`'s own (`code`, `constraint`), which `isUniqueViolation` reads.
 */
export async function queryPrepared<Row>(dataSource: DataSource, statement: PreparedStatement, values: unknown[]): Promise<Row[]> {
  if (dataSource.options.type === 'postgres' && !unnamed.has(dataSource)) {
    // A query runner's release hands a healthy connection back to the pool after an error too,
    // keeping the statements prepared on it (pg-pool's own `query` would destroy it).
    const runner = dataSource.createQueryRunner('master');
    try {
      const client = (await runner.connect()) as PgClientLike;
      // A fresh config object each time: `pg` stores the values on it.
      const result = await client.query({ name: statement.name, text: statement.text, values });
      return result.rows as Row[];
    } finally {
      await runner.release();
    }
  }
  return rowsOf<Row>(await dataSource.query(statement.text, values));
}
