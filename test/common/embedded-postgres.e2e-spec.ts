/**
 * The embedded database with a data folder (what `npm start` uses): initdb of a fresh folder in
 * a short-lived process, then PGlite served by a child process of its own; its data survives a
 * restart, close() stops the process, and a process that dies unasked is reported.
 * Runs the compiled child script (dist/), so it needs `npm run build`.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { jest } from '@jest/globals';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '@app/common';
import { describeIf } from '../support/availability';

jest.setTimeout(120_000);

const CHILD = 'dist/libs/common/src/database/embedded-postgres.child.js';
const missing = existsSync(CHILD) ? null : `${CHILD} is missing: run \`npm run build\` first`;

async function sql<T>(url: string, text: string): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describeIf('embedded database process', missing)('the embedded database in a child process', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'embedded-pg-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the database in a fresh folder, serves it from another process with 16 MB of shared buffers, and keeps its data across a restart', async () => {
    const data = join(dir, 'pglite');
    const first = await startEmbeddedPostgres(data);
    try {
      expect(existsSync(join(data, 'PG_VERSION'))).toBe(true);
      expect(first.pid).not.toBeNull();
      expect(first.pid).not.toBe(process.pid);
      expect(await sql<{ shared_buffers: string }>(first.url, 'SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
      await sql(first.url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')");
    } finally {
      await first.close();
    }
    expect(alive(first.pid!)).toBe(false);

    const second = await startEmbeddedPostgres(data);
    try {
      expect(await sql<{ v: string }>(second.url, 'SELECT v FROM kept')).toEqual([{ v: 'survives' }]);
    } finally {
      await second.close();
    }
  });

  it('reports a database process that ends without close()', async () => {
    const exits: Array<string | number | null> = [];
    const db = await startEmbeddedPostgres(join(dir, 'killed'), { onUnexpectedExit: (code, signal) => exits.push(signal ?? code) });
    process.kill(db.pid!, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (exits.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(exits).toEqual(['SIGKILL']);
    await db.close(); // already gone: resolves
  });
});
