/**
 * The embedded database with a data folder (what `npm start` uses): a fresh folder is created by
 * initdb in a short-lived process, the database opens with 16 MB of shared buffers, and its data
 * survives a restart. PGlite's WASM does not load inside Jest's VM sandbox, so the compiled
 * module runs in a node child process here (it needs `npm run build`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Client } from 'pg';
import { describeIf } from '../support/availability';

jest.setTimeout(120_000);

const MODULE = 'dist/libs/common/src/database/embedded-postgres.js';
const missing = existsSync(MODULE) ? null : `${MODULE} is missing: run \`npm run build\` first`;

// Opens the database in DIR, prints {"url"}, closes it when stdin ends.
const HOST = `
const { startEmbeddedPostgres } = require(${JSON.stringify(join(process.cwd(), MODULE))});
startEmbeddedPostgres(process.argv[1]).then((db) => {
  process.stdout.write(JSON.stringify({ url: db.url }) + '\\n');
  process.stdin.on('end', () => db.close().then(() => process.exit(0)));
  process.stdin.resume();
}, (e) => { process.stderr.write(String(e) + '\\n'); process.exit(1); });`;

async function open(dir: string): Promise<{ url: string; child: ChildProcess; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', HOST, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (c: Buffer) => resolve((JSON.parse(c.toString().split('\n')[0]) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    child,
    async close() {
      child.stdin!.end();
      await exited;
    },
  };
}

async function sql<T>(url: string, text: string): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

describeIf('embedded database', missing)('the embedded database in a data folder', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'embedded-pg-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a fresh folder (initdb in its own process), opens it with 16 MB of shared buffers, and keeps its data across a restart', async () => {
    const data = join(dir, 'pglite');
    const first = await open(data);
    try {
      expect(existsSync(join(data, 'PG_VERSION'))).toBe(true);
      expect(await sql<{ shared_buffers: string }>(first.url, 'SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
      await sql(first.url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')");
    } finally {
      await first.close();
    }
    expect(first.child.exitCode).toBe(0);

    const second = await open(data);
    try {
      expect(await sql<{ v: string }>(second.url, 'SELECT v FROM kept')).toEqual([{ v: 'survives' }]);
    } finally {
      await second.close();
    }
  });
});
