import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/** TEST_REDIS_URL, else a local Redis on the default port: the URL if it answers PING, else why not. */
export async function probeRedis(): Promise<{ url: string } | { reason: string }> {
  const url = process.env.TEST_REDIS_URL ?? DEFAULT_URL;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return { url };
  } catch (error) {
    const where = process.env.TEST_REDIS_URL ? 'TEST_REDIS_URL' : DEFAULT_URL;
    return { reason: `no Redis answers at ${where} (${(error as Error).message}); set TEST_REDIS_URL` };
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
