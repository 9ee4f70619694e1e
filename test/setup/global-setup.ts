import { recordRedisProbe } from '../support/availability';
import { MODE_VARIABLE, type TestDbMode } from '../support/test-db-mode';

/**
 * Picks the database the e2e tests run on (TEST_DATABASE_URL, else a testcontainers PostgreSQL,
 * else embedded PGlite) and probes Redis once; says which ones the run has.
 */
export default async function globalSetup(): Promise<void> {
  let mode: TestDbMode;
  if (process.env.TEST_DATABASE_URL) {
    mode = { kind: 'server', adminUrl: process.env.TEST_DATABASE_URL, source: 'TEST_DATABASE_URL' };
    log(`PostgreSQL from TEST_DATABASE_URL (${redact(process.env.TEST_DATABASE_URL)})`);
  } else {
    const container = await tryContainer();
    if (container) {
      mode = { kind: 'server', adminUrl: container, source: 'testcontainers' };
      log(`PostgreSQL in a container (testcontainers): ${redact(container)}`);
    } else {
      mode = { kind: 'pglite' };
      log('embedded PGlite (no TEST_DATABASE_URL, no container runtime); one PGlite per test file');
    }
  }
  process.env[MODE_VARIABLE] = JSON.stringify(mode);
  log(await recordRedisProbe());
}

async function tryContainer(): Promise<string | null> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000)),
    ]);
  } catch {
    return null;
  }
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    (globalThis as { __pgContainer?: unknown }).__pgContainer = container;
    return container.getConnectionUri();
  } catch (e) {
    log(`container runtime answered but PostgreSQL did not start (${(e as Error).message})`);
    return null;
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

function log(line: string): void {
  process.stdout.write(`\n[test-db] ${line}\n`);
}
