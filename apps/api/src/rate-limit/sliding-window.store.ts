import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RedisConnection } from '../redis/redis-connection';
import { RateLimitUnavailableError, RedisFailurePolicy } from './redis-failure';

/** The outcome of one hit on a sliding-window counter. */
export interface WindowHit {
  /** Hits in the window, this one included (a refused hit is counted here, not stored). */
  count: number;
  /** False when the window already held `limit` hits: this hit was refused and not recorded. */
  allowed: boolean;
  /** Milliseconds until the oldest recorded hit leaves the window (the next free slot). */
  retryAfterMs: number;
}

/**
 * A sliding-window log of accepted hits: "at most `limit` per `windowMs`" holds over every window
 * (a fixed one lets 2x through at a boundary). Refused hits are not recorded, so retrying does not extend the wait.
 */
export interface SlidingWindowStore {
  /** `limitName`: the rule the hit is for (what to do when the shared counter fails depends on it). */
  hit(key: string, windowMs: number, limit: number, limitName?: string): Promise<WindowHit>;
  /** The window as `hit` would find it, recording nothing: `allowed` tells whether a hit would be. */
  peek(key: string, windowMs: number, limit: number, limitName?: string): Promise<WindowHit>;
}

/** Per-process store (no REDIS_URL, or Redis unavailable). Idle keys are swept every minute. */
export class MemorySlidingWindowStore implements SlidingWindowStore {
  private readonly logs = new Map<string, { hits: number[]; windowMs: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  async hit(key: string, windowMs: number, limit: number): Promise<WindowHit> {
    const now = this.now();
    let log = this.logs.get(key);
    if (!log) {
      log = { hits: [], windowMs };
      this.logs.set(key, log);
    }
    log.windowMs = windowMs;
    const hits = log.hits;
    while (hits.length > 0 && hits[0] <= now - windowMs) hits.shift();
    const allowed = hits.length < limit;
    if (allowed) hits.push(now);
    const count = allowed ? hits.length : hits.length + 1;
    const retryAfterMs = hits.length > 0 ? Math.max(0, hits[0] + windowMs - now) : 0;
    return { count, allowed, retryAfterMs };
  }

  async peek(key: string, windowMs: number, limit: number): Promise<WindowHit> {
    const now = this.now();
    const hits = (this.logs.get(key)?.hits ?? []).filter((t) => t > now - windowMs);
    const retryAfterMs = hits.length > 0 ? Math.max(0, hits[0] + windowMs - now) : 0;
    return { count: hits.length, allowed: hits.length < limit, retryAfterMs };
  }

  sweep(): void {
    const now = this.now();
    for (const [key, log] of this.logs) {
      if (log.hits.length === 0 || log.hits[log.hits.length - 1] <= now - log.windowMs) this.logs.delete(key);
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    this.logs.clear();
  }
}

/** The same log in a Redis sorted set, on the Redis server's clock, updated atomically by one Lua script. */
const HIT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
else
  count = count + 1
end
local retry = 0
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if oldest[2] then retry = tonumber(oldest[2]) + window - now end
if retry < 0 then retry = 0 end
return {count, allowed, retry}
`;

const PEEK_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local count = redis.call('ZCOUNT', KEYS[1], '(' .. (now - window), '+inf')
local retry = 0
local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - window), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
if oldest[2] then retry = tonumber(oldest[2]) + window - now end
if retry < 0 then retry = 0 end
local allowed = 0
if count < limit then allowed = 1 end
return {count, allowed, retry}
`;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export class RedisSlidingWindowStore implements SlidingWindowStore {
  private readonly logger = new Logger('RateLimit');
  private lastFallbackLog = 0;

  constructor(
    private readonly redis: RedisConnection,
    /** Used while Redis fails for the limits that are `local` then: they hold per instance. */
    private readonly fallback: SlidingWindowStore,
    private readonly onFailure: RedisFailurePolicy = new RedisFailurePolicy(null),
  ) {
    redis.client.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    redis.client.defineCommand('rateLimitPeek', { numberOfKeys: 1, lua: PEEK_SCRIPT });
  }

  hit(key: string, windowMs: number, limit: number, limitName?: string): Promise<WindowHit> {
    return this.run('rateLimitHit', key, windowMs, limit, limitName, () => this.fallback.hit(key, windowMs, limit, limitName));
  }

  peek(key: string, windowMs: number, limit: number, limitName?: string): Promise<WindowHit> {
    return this.run('rateLimitPeek', key, windowMs, limit, limitName, () => this.fallback.peek(key, windowMs, limit, limitName));
  }

  private async run(
    command: 'rateLimitHit' | 'rateLimitPeek',
    key: string,
    windowMs: number,
    limit: number,
    limitName: string | undefined,
    fallback: () => Promise<WindowHit>,
  ): Promise<WindowHit> {
    try {
      const client = this.redis.client as unknown as Record<
        typeof command,
        (key: string, windowMs: number, limit: number, nonce: string) => Promise<[number, number, number]>
      >;
      const [count, allowed, retryAfterMs] = await client[command](
        `${this.redis.prefix}rl:${key}`,
        Math.round(windowMs),
        limit,
        randomBytes(6).toString('hex'),
      );
      return { count: Number(count), allowed: Number(allowed) === 1, retryAfterMs: Number(retryAfterMs) };
    } catch (error) {
      const mode = this.onFailure.decide(limitName);
      const now = Date.now();
      if (now - this.lastFallbackLog > 10_000) {
        this.lastFallbackLog = now;
        this.logger.warn(
          `Redis rate-limit counter failed (${(error as Error).name}); meanwhile ${
            this.onFailure.configured ? `every limit is ${this.onFailure.configured}` : 'OTP sends are refused (fail-closed), other limits count in this instance\'s memory'
          }`,
        );
      }
      if (mode === 'fail-closed') throw new RateLimitUnavailableError();
      return fallback();
    }
  }
}

/**
 * A SlidingWindowStore as @nestjs/throttler's storage. `blockDuration` is ignored: a key is refused
 * until its oldest hit leaves the window, which `timeToBlockExpire` (Retry-After) tells.
 */
export class SlidingWindowThrottlerStorage implements ThrottlerStorage {
  constructor(
    readonly store: SlidingWindowStore,
    private readonly memory?: MemorySlidingWindowStore,
  ) {}

  onApplicationShutdown(): void {
    this.memory?.close();
  }

  /** @throws RateLimitUnavailableError when the counter cannot be read and the limit is fail-closed. */
  async increment(key: string, ttl: number, limit: number, _blockDuration?: number, throttlerName?: string): Promise<ThrottlerStorageRecord> {
    return toRecord(await this.store.hit(key, ttl, limit, throttlerName));
  }

  /** `increment` without recording the hit: whether the key is refused now. */
  async peek(key: string, ttl: number, limit: number, throttlerName?: string): Promise<ThrottlerStorageRecord> {
    return toRecord(await this.store.peek(key, ttl, limit, throttlerName));
  }
}

function toRecord(hit: WindowHit): ThrottlerStorageRecord {
  const seconds = Math.max(1, Math.ceil(hit.retryAfterMs / 1000));
  return {
    totalHits: hit.count,
    timeToExpire: seconds,
    isBlocked: !hit.allowed,
    timeToBlockExpire: hit.allowed ? 0 : seconds,
  };
}

/** `onRedisFailure`: what each limit does while Redis fails (default: RATE_LIMIT_ON_REDIS_FAILURE unset). */
export function createThrottlerStorage(redis: RedisConnection | null, onRedisFailure?: RedisFailurePolicy): SlidingWindowThrottlerStorage {
  const memory = new MemorySlidingWindowStore();
  return new SlidingWindowThrottlerStorage(redis ? new RedisSlidingWindowStore(redis, memory, onRedisFailure) : memory, memory);
}
