import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';

/**
 * The api's one Redis connection (shared by the rate limiter and the upstream token cache), and
 * the prefix of every key it writes. `null` when `REDIS_URL` is unset: each instance then keeps
 * its counters and token in memory.
 */
export interface RedisConnection {
  client: Redis;
  /** e.g. `iamport-backend:`; every key is `${prefix}${name}`. */
  prefix: string;
  /** Quit politely (pending replies are awaited), then disconnect; idempotent. */
  close(): Promise<void>;
}

export interface RedisConnectionOptions {
  url: string;
  prefix: string;
  /** Per-command timeout; a slow Redis must not hold a request. Default 1000 ms. */
  commandTimeoutMs?: number;
}

/**
 * Creates the client without connecting (`lazyConnect`: the first command connects), so that
 * building the module graph has no side effect. Failure behaviour, chosen so that a Redis outage
 * degrades the service instead of stalling it:
 * - `enableOfflineQueue: false`: while the connection is down a command fails at once instead
 *   of waiting for a reconnection (RedisModule connects at boot, before any request);
 * - `commandTimeout`: a command that gets no answer fails after `commandTimeoutMs`;
 * - `maxRetriesPerRequest: 1`: a command caught by a connection loss is not resent 20 times;
 * - reconnection keeps going in the background with a capped backoff.
 * Callers (rate limiter, token store) treat a failed command as "Redis unavailable" and fall
 * back to per-instance memory. The URL (which may hold a password) is never logged.
 */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const logger = new Logger('Redis');
  const client = new Redis(options.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 3000),
    connectionName: 'iamport-backend-api',
    disconnectTimeout: 500,
  });
  let lastErrorLog = 0;
  client.on('error', (error: Error & { code?: string }) => {
    // ioredis emits one error per failed reconnection: log at most one line per 10 s.
    const now = Date.now();
    if (now - lastErrorLog < 10_000) return;
    lastErrorLog = now;
    logger.warn(`Redis connection error (${error.code ?? error.name}); rate limits and the token cache fall back to this instance's memory until it is back`);
  });
  let closing: Promise<void> | null = null;
  return {
    client,
    prefix: options.prefix,
    close() {
      closing ??= (async () => {
        if (client.status === 'ready') {
          await Promise.race([client.quit().catch(() => undefined), delay(2000)]);
        }
        client.disconnect(false);
      })();
      return closing;
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
