import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { readTestDbMode } from './test-db-mode';

export interface TestDatabase {
  url: string;
  /** 1 on PGlite (one session), more on a server. */
  poolSize: number;
  kind: 'server' | 'pglite';
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file: a new database on the PostgreSQL server (from
 * TEST_DATABASE_URL or the container), or a new in-memory PGlite in a child process.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const mode = readTestDbMode();
  if (mode.kind === 'server') {
    const name = `itest_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: mode.adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(mode.adminUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      poolSize: 10,
      kind: 'server',
      async drop() {
        const c = new Client({ connectionString: mode.adminUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  return startPgliteChild();
}

export async function startPgliteChild(dataDir?: string): Promise<TestDatabase> {
  const script = join(process.cwd(), 'test', 'support', 'pglite-server.mjs');
  const child = spawn(process.execPath, [script, ...(dataDir ? [dataDir] : [])], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`pglite-server exited with ${code}`)));
  });
  return {
    url,
    poolSize: 1,
    kind: 'pglite',
    async drop() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
