/**
 * What this machine offers the tests, decided when a test file loads, so a test that cannot run
 * is reported by Jest as skipped (with the reason printed), never run and counted as passed.
 */
import { existsSync, statSync } from 'node:fs';
import { probeRedis } from './redis';
import { readTestDbMode } from './test-db-mode';

export const API_MAIN = 'dist/apps/api/src/main.js';

/** Why the compiled api cannot be started (`npm test` builds first; a direct jest run needs `npm run build`), or null. */
export function compiledApiMissing(): string | null {
  if (!existsSync(API_MAIN)) return `${API_MAIN} is missing: run \`npm run build\` first`;
  warnIfStaleBuild();
  return null;
}

/** Why there is no PostgreSQL server (PGlite is one session: several processes or connections need a server), or null. */
export function serverDatabaseMissing(): string | null {
  return readTestDbMode().kind === 'server' ? null : 'needs a PostgreSQL server (set TEST_DATABASE_URL)';
}

/** Why several api processes cannot run here, or null. */
export function processTestsUnavailable(): string | null {
  return compiledApiMissing() ?? serverDatabaseMissing();
}

/** Set by the global setup (the probe is async; a test file decides its skips synchronously). */
const REDIS_VARIABLE = 'TEST_REDIS_PROBE';

export async function recordRedisProbe(): Promise<string> {
  const redis = await probeRedis();
  process.env[REDIS_VARIABLE] = JSON.stringify(redis);
  return 'url' in redis ? `Redis answers at ${process.env.TEST_REDIS_URL ? 'TEST_REDIS_URL' : redis.url}` : `no Redis: ${redis.reason}`;
}

function readRedisProbe(): { url: string } | { reason: string } {
  const written = process.env[REDIS_VARIABLE];
  if (!written) return { reason: 'Redis was not probed (the e2e global setup did not run)' };
  return JSON.parse(written) as { url: string } | { reason: string };
}

const redis = readRedisProbe();
/** The Redis to use, or null with the reason in `redisMissing`. */
export const testRedisUrl: string | null = 'url' in redis ? redis.url : null;
export const redisMissing: string | null = 'reason' in redis ? redis.reason : null;

/** `describe`, or `describe.skip` with the first reason printed. */
export function describeIf(label: string, ...reasons: Array<string | null>): jest.Describe {
  const reason = reasons.find((r) => r !== null) ?? null;
  if (reason === null) return describe;
  say(label, reason);
  return describe.skip;
}

/** `it`, or `it.skip` with the first reason printed. */
export function itIf(label: string, ...reasons: Array<string | null>): jest.It {
  const reason = reasons.find((r) => r !== null) ?? null;
  if (reason === null) return it;
  say(label, reason);
  return it.skip;
}

function say(label: string, reason: string): void {
  process.stdout.write(`\n[skip] ${label}: ${reason}\n`);
}

function warnIfStaleBuild(): void {
  const built = statSync(API_MAIN).mtimeMs;
  const sources = ['apps/api/src/app.module.ts', 'apps/api/src/main.ts', 'libs/certification/src/index.ts', 'libs/user/src/index.ts'];
  const newer = sources.filter((s) => existsSync(s) && statSync(s).mtimeMs > built);
  if (newer.length) process.stdout.write(`\n[test] WARNING: ${API_MAIN} is older than ${newer.join(', ')}: run \`npm run build\`\n`);
}
