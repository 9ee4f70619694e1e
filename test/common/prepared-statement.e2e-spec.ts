/**
 * queryPrepared on a real database (PostgreSQL in CI, PGlite without TEST_DATABASE_URL): the
 * statement is prepared on the connection under its name and reused, answers rows for
 * INSERT/UPDATE ... RETURNING, and its errors keep pg's code and constraint.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { definePreparedStatement, disablePreparedStatements, isUniqueViolation, preparedStatementFor, queryPrepared } from '@app/common';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

let db: TestDatabase;
let dataSource: DataSource;

const INSERT = definePreparedStatement('test_prepared_insert', 'INSERT INTO prepared_probe (k, v) VALUES ($1, $2) RETURNING id, k, v');
const BUMP = definePreparedStatement('test_prepared_bump', 'UPDATE prepared_probe SET v = v + 1 WHERE k = $1 RETURNING v');

beforeAll(async () => {
  db = await createTestDatabase();
  // One connection: what the statements leave on it is visible to the next query.
  dataSource = new DataSource({ type: 'postgres', url: db.url, poolSize: 1, installExtensions: false, entities: [] });
  await dataSource.initialize();
  await dataSource.query('CREATE TABLE prepared_probe (id serial PRIMARY KEY, k text NOT NULL UNIQUE, v int NOT NULL)');
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

it('prepares the statement under its name on the connection and answers RETURNING rows', async () => {
  const inserted = await queryPrepared<{ id: number; k: string; v: number }>(dataSource, INSERT, ['a', 1]);
  expect(inserted).toEqual([{ id: expect.any(Number), k: 'a', v: 1 }]);
  const again = await queryPrepared<{ k: string }>(dataSource, INSERT, ['b', 5]);
  expect(again.map((r) => r.k)).toEqual(['b']);
  const prepared = (await dataSource.query('SELECT name, statement FROM pg_prepared_statements ORDER BY name')) as Array<{ name: string; statement: string }>;
  expect(prepared.map((p) => p.name)).toEqual(['test_prepared_insert']);
  expect(prepared[0].statement).toBe(INSERT.text);
});

it('answers the rows of an UPDATE ... RETURNING (not TypeORM\'s [rows, count]) and no rows when nothing matched', async () => {
  expect(await queryPrepared<{ v: number }>(dataSource, BUMP, ['a'])).toEqual([{ v: 2 }]);
  expect(await queryPrepared<{ v: number }>(dataSource, BUMP, ['missing'])).toEqual([]);
});

it("keeps pg's error code and constraint, so a unique violation is recognised", async () => {
  const [{ pid: before }] = (await dataSource.query('SELECT pg_backend_pid() AS pid')) as Array<{ pid: number }>;
  const error = await queryPrepared(dataSource, INSERT, ['a', 9]).catch((e: unknown) => e);
  expect(isUniqueViolation(error, 'prepared_probe_k_key')).toBe(true);
  // the same connection is still in use (not dropped by the pool), its statements still prepared
  const [{ pid }] = (await dataSource.query('SELECT pg_backend_pid() AS pid')) as Array<{ pid: number }>;
  expect(pid).toBe(before);
  expect(await queryPrepared<{ k: string }>(dataSource, INSERT, ['c', 1])).toHaveLength(1);
  const after = (await dataSource.query('SELECT pg_backend_pid() AS pid, (SELECT count(*) FROM pg_prepared_statements)::int AS prepared')) as Array<{ pid: number; prepared: number }>;
  expect(after[0]).toEqual({ pid, prepared: 2 });
});

it('refuses a second text under a name already defined, and a name that is not snake_case', () => {
  expect(definePreparedStatement('test_prepared_insert', INSERT.text)).toEqual(INSERT);
  expect(() => definePreparedStatement('test_prepared_insert', 'SELECT 1')).toThrow(/already defined with another text/);
  expect(() => definePreparedStatement('Bad-Name', 'SELECT 1')).toThrow(/snake_case/);
});

it('names a built query by its text: the same text, the same statement; another text, another name', () => {
  const a = preparedStatementFor('test_built', 'SELECT k FROM prepared_probe WHERE v > $1');
  expect(a.name).toMatch(/^test_built_[0-9a-f]{16}$/);
  expect(preparedStatementFor('test_built', 'SELECT k FROM prepared_probe WHERE v > $1')).toBe(a);
  const b = preparedStatementFor('test_built', 'SELECT k FROM prepared_probe WHERE v < $1');
  expect(b.name).not.toBe(a.name);
});

it('runs the statements unnamed on a DataSource where they are disabled (PgBouncer in transaction mode)', async () => {
  // (last test: the mark cannot be undone) Same single connection, its statements dropped first.
  await dataSource.query('DEALLOCATE ALL');
  disablePreparedStatements(dataSource);
  expect(await queryPrepared<{ k: string }>(dataSource, INSERT, ['d', 1])).toEqual([{ id: expect.any(Number), k: 'd', v: 1 }]);
  expect(await queryPrepared<{ v: number }>(dataSource, BUMP, ['d'])).toEqual([{ v: 2 }]);
  const prepared = (await dataSource.query('SELECT count(*)::int AS n FROM pg_prepared_statements')) as Array<{ n: number }>;
  expect(prepared[0].n).toBe(0);
});
