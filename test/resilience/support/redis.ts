import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/**
 * The Redis the resilience tests use: TEST_REDIS_URL (CI sets it), else a local Redis on the
 * default port if one answers. `null` (with the reason printed) when there is none: tests that
 * need Redis are then skipped, loudly.
 */
export async function findTestRedis(): Promise<string | null> {
  const url = process.env.TEST_REDIS_URL ?? DEFAULT_URL;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return url;
  } catch (error) {
    process.stdout.write(
      `\n[resilience] SKIPPING the Redis tests: no Redis at ${process.env.TEST_REDIS_URL ? 'TEST_REDIS_URL' : DEFAULT_URL} ` +
        `(${(error as Error).message}). Set TEST_REDIS_URL to run them.\n`,
    );
    return null;
  } finally {
    client.disconnect();
  }
}

/** A key prefix of its own for one test, so runs never see each other's counters. */
export function uniquePrefix(label: string): string {
  return `itest:${label}:${Date.now().toString(36)}${randomBytes(3).toString('hex')}:`;
}

/** Every key under `prefix` (SCAN, not KEYS). */
export async function keysUnder(url: string, prefix: string): Promise<string[]> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    client.disconnect();
  }
}

export async function deleteKeysUnder(url: string, prefix: string): Promise<void> {
  const keys = await keysUnder(url, prefix);
  if (keys.length === 0) return;
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
  } finally {
    client.disconnect();
  }
}
