export type TestDbMode =
  | { kind: 'server'; adminUrl: string; source: 'TEST_DATABASE_URL' | 'testcontainers' }
  | { kind: 'pglite' };

/**
 * Set by the global setup; Jest's workers inherit its environment. An environment variable, not
 * a file in /tmp, so concurrent runs on one machine never read each other's choice.
 */
export const MODE_VARIABLE = 'TEST_DB_MODE';

export function readTestDbMode(): TestDbMode {
  if (process.env.TEST_DATABASE_URL) {
    return { kind: 'server', adminUrl: process.env.TEST_DATABASE_URL, source: 'TEST_DATABASE_URL' };
  }
  const written = process.env[MODE_VARIABLE];
  return written ? (JSON.parse(written) as TestDbMode) : { kind: 'pglite' };
}
