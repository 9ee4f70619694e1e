/**
 * The embedded database with a data folder (what `npm start` uses): a fresh folder is loaded from
 * the template `npm run build` made (or created by initdb in a short-lived process without one),
 * a creation that did not finish is started again, the database opens with 16 MB of shared
 * buffers, and its data survives a restart. PGlite's WASM does not load inside Jest's VM sandbox, so the compiled
 * module runs in a node child process here (it needs `npm run build`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Client } from 'pg';
import { describeIf } from '../support/availability';

jest.setTimeout(120_000);

const MODULE = 'dist/libs/common/src/database/embedded-postgres.js';
const TEMPLATES = 'dist/embedded';
const missing = existsSync(MODULE) && existsSync(TEMPLATES) ? null : `${MODULE} or ${TEMPLATES} is missing: run \`npm run build\` first`;

// Opens the database in DIR (argv[2] "initdb": without the template), prints {"url", "created"}, closes it when stdin ends.
const HOST = `
const { startEmbeddedPostgres } = require(${JSON.stringify(join(process.cwd(), MODULE))});
startEmbeddedPostgres(process.argv[1], { template: process.argv[2] !== 'initdb' }).then((db) => {
  process.stdout.write(JSON.stringify({ url: db.url, created: db.created }) + '\\n');
  process.stdin.on('end', () => db.close().then(() => process.exit(0)));
  process.stdin.resume();
}, (e) => { process.stderr.write(String(e) + '\\n'); process.exit(1); });`;

interface Opened {
  url: string;
  created: 'template' | 'initdb' | null;
  child: ChildProcess;
  close(): Promise<void>;
}

async function open(dir: string, how: 'template' | 'initdb' = 'template'): Promise<Opened> {
  const child = spawn(process.execPath, ['-e', HOST, dir, how], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const { url, created } = await new Promise<Pick<Opened, 'url' | 'created'>>((resolve, reject) => {
    child.stdout!.once('data', (c: Buffer) => resolve(JSON.parse(c.toString().split('\n')[0]) as Pick<Opened, 'url' | 'created'>));
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    created,
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

  it.each(['template', 'initdb'] as const)(
    'creates a fresh folder (%s), opens it with 16 MB of shared buffers, and keeps its data across a restart',
    async (how) => {
      const data = join(dir, `pglite-${how}`);
      const first = await open(data, how);
      try {
        expect(first.created).toBe(how);
        expect(existsSync(join(data, 'PG_VERSION'))).toBe(true);
        expect(existsSync(`${data}.creating`)).toBe(false);
        expect(await sql<{ shared_buffers: string }>(first.url, 'SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
        expect(await sql<{ ok: number }>(first.url, "SELECT count(*)::int AS ok FROM pg_database WHERE datname = 'postgres'")).toEqual([{ ok: 1 }]);
        await sql(first.url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')");
      } finally {
        await first.close();
      }
      expect(first.child.exitCode).toBe(0);

      const second = await open(data, how);
      try {
        expect(second.created).toBeNull();
        expect(await sql<{ v: string }>(second.url, 'SELECT v FROM kept')).toEqual([{ v: 'survives' }]);
      } finally {
        await second.close();
      }
    },
  );

  it('starts a creation that did not finish again: the partial folder goes', async () => {
    const data = join(dir, 'pglite-partial');
    mkdirSync(data, { recursive: true });
    // What a boot killed while loading the template leaves: some files, PG_VERSION among them, and the marker.
    writeFileSync(join(data, 'PG_VERSION'), '17\n');
    writeFileSync(join(data, 'half-written'), 'x');
    writeFileSync(`${data}.creating`, '');
    const db = await open(data);
    try {
      expect(db.created).toBe('template');
      expect(existsSync(join(data, 'half-written'))).toBe(false);
      expect(existsSync(`${data}.creating`)).toBe(false);
      expect(await sql<{ one: number }>(db.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});
