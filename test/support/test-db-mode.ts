import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestDbMode =
  | { kind: 'server'; adminUrl: string; source: 'TEST_DATABASE_URL' | 'testcontainers' }
  | { kind: 'pglite' };

/** Written by the global setup, read by every test file (Jest workers are separate processes). */
export const MODE_FILE = join(tmpdir(), `iamport-backend-test-db-${process.env.JEST_RUN_ID ?? 'default'}.json`);

export function readTestDbMode(): TestDbMode {
  if (process.env.TEST_DATABASE_URL) {
    return { kind: 'server', adminUrl: process.env.TEST_DATABASE_URL, source: 'TEST_DATABASE_URL' };
  }
  if (existsSync(MODE_FILE)) return JSON.parse(readFileSync(MODE_FILE, 'utf8')) as TestDbMode;
  return { kind: 'pglite' };
}
