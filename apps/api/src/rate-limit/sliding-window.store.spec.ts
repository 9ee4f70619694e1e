import { Registry } from 'prom-client';
import type { RedisConnection } from '../redis/redis-connection';
import { RateLimitUnavailableError, RedisFailurePolicy } from './redis-failure';
import { MemorySlidingWindowStore, RedisSlidingWindowStore, SlidingWindowThrottlerStorage } from './sliding-window.store';

describe('MemorySlidingWindowStore', () => {
  let now = 1_000_000;
  let store: MemorySlidingWindowStore;
  beforeEach(() => {
    now = 1_000_000;
    store = new MemorySlidingWindowStore(() => now);
  });
  afterEach(() => store.close());

  it('accepts `limit` hits per window and refuses the next one with the time until a slot frees', async () => {
    for (let i = 1; i <= 5; i++) {
      const hit = await store.hit('k', 600_000, 5);
      expect(hit).toMatchObject({ allowed: true, count: i });
      now += 1000;
    }
    const refused = await store.hit('k', 600_000, 5);
    expect(refused.allowed).toBe(false);
    expect(refused.count).toBe(6);
    // the first hit was at 1_000_000, now is 1_005_000: it leaves the window in 595 s
    expect(refused.retryAfterMs).toBe(595_000);
  });

  it('slides: a slot frees when the oldest hit is a full window old, not at a bucket boundary', async () => {
    await store.hit('k', 10_000, 2); // t=0
    now += 9_000;
    await store.hit('k', 10_000, 2); // t=9s
    now += 999; // t=9.999s
    expect((await store.hit('k', 10_000, 2)).allowed).toBe(false);
    now += 1; // t=10s: the first hit leaves
    expect((await store.hit('k', 10_000, 2)).allowed).toBe(true);
    // the hit of t=9s is still inside: a fixed window would have allowed 2 more here
    expect((await store.hit('k', 10_000, 2)).allowed).toBe(false);
  });

  it('does not record refused hits: retrying while refused does not extend the wait', async () => {
    await store.hit('k', 10_000, 1);
    for (let i = 0; i < 20; i++) {
      now += 400;
      expect((await store.hit('k', 10_000, 1)).allowed).toBe(false);
    }
    now = 1_000_000 + 10_000;
    expect((await store.hit('k', 10_000, 1)).allowed).toBe(true);
  });

  it('peeks without recording: whether a hit would be allowed, and when a slot frees', async () => {
    expect(await store.peek('k', 10_000, 2)).toEqual({ count: 0, allowed: true, retryAfterMs: 0 });
    await store.hit('k', 10_000, 2);
    now += 4_000;
    await store.hit('k', 10_000, 2);
    for (let i = 0; i < 3; i++) expect(await store.peek('k', 10_000, 2)).toEqual({ count: 2, allowed: false, retryAfterMs: 6_000 });
    now += 6_000; // the first hit leaves the window
    expect(await store.peek('k', 10_000, 2)).toEqual({ count: 1, allowed: true, retryAfterMs: 4_000 });
  });

  it('keeps keys apart and sweeps idle ones', async () => {
    await store.hit('a', 1000, 1);
    expect((await store.hit('b', 1000, 1)).allowed).toBe(true);
    expect((await store.hit('a', 1000, 1)).allowed).toBe(false);
    now += 1000;
    store.sweep();
    expect((await store.hit('a', 1000, 1)).allowed).toBe(true);
  });
});

describe('SlidingWindowThrottlerStorage', () => {
  it('reports a refusal as blocked with whole seconds until a slot frees (at least 1)', async () => {
    let now = 0;
    const memory = new MemorySlidingWindowStore(() => now);
    const storage = new SlidingWindowThrottlerStorage(memory, memory);
    expect(await storage.increment('k', 60_000, 1)).toMatchObject({ isBlocked: false, totalHits: 1, timeToBlockExpire: 0 });
    now = 59_500;
    expect(await storage.increment('k', 60_000, 1)).toMatchObject({ isBlocked: true, totalHits: 2, timeToBlockExpire: 1 });
    now = 1_000;
    expect(await storage.increment('k', 60_000, 1)).toMatchObject({ isBlocked: true, timeToBlockExpire: 59 });
    storage.onApplicationShutdown();
  });
});

/** A Redis connection whose every command fails, as while Redis is down. */
class DownRedis {
  readonly prefix = 'test:';
  readonly client = {
    defineCommand: () => undefined,
    rateLimitHit: async () => {
      throw Object.assign(new Error('Connection is closed.'), { name: 'Error' });
    },
  };
  async close(): Promise<void> {}
}

describe('RedisSlidingWindowStore while Redis is down', () => {
  const decisions = async (registry: Registry) =>
    Object.fromEntries((await registry.getSingleMetric('rate_limit_redis_failure_decisions_total')!.get()).values.map((v) => [v.labels.mode, v.value]));

  function storeWith(configured: 'fail-closed' | 'local' | null) {
    const registry = new Registry();
    const memory = new MemorySlidingWindowStore();
    const store = new RedisSlidingWindowStore(new DownRedis() as unknown as RedisConnection, memory, new RedisFailurePolicy(configured, registry));
    return { store, memory, registry };
  }

  it('by default refuses OTP sends (fail-closed) and counts the other limits in memory, and counts each decision', async () => {
    const { store, memory, registry } = storeWith(null);
    await expect(store.hit('k1', 60_000, 5, 'otp-request-ip')).rejects.toBeInstanceOf(RateLimitUnavailableError);
    await expect(store.hit('k2', 60_000, 5, 'otp-request-phone')).rejects.toMatchObject({ code: 'RATE_LIMIT_UNAVAILABLE', status: 503 });
    expect(await store.hit('k3', 60_000, 1, 'signup-ip')).toMatchObject({ allowed: true, count: 1 });
    expect(await store.hit('k3', 60_000, 1, 'signup-ip')).toMatchObject({ allowed: false });
    expect(await decisions(registry)).toEqual({ 'fail-closed': 2, local: 2 });
    memory.close();
  });

  it('applies an explicit RATE_LIMIT_ON_REDIS_FAILURE to every limit', async () => {
    const local = storeWith('local');
    expect(await local.store.hit('k', 60_000, 5, 'otp-request-phone')).toMatchObject({ allowed: true });
    expect(await decisions(local.registry)).toEqual({ 'fail-closed': 0, local: 1 });
    local.memory.close();

    const closed = storeWith('fail-closed');
    await expect(closed.store.hit('k', 60_000, 5, 'signup-ip')).rejects.toBeInstanceOf(RateLimitUnavailableError);
    expect(await decisions(closed.registry)).toEqual({ 'fail-closed': 1, local: 0 });
    closed.memory.close();
  });

  it('passes the limit name through the throttler storage interface', async () => {
    const { store, memory } = storeWith(null);
    const storage = new SlidingWindowThrottlerStorage(store, memory);
    await expect(storage.increment('k', 60_000, 5, 0, 'otp-request-ip')).rejects.toBeInstanceOf(RateLimitUnavailableError);
    expect(await storage.increment('k', 60_000, 5, 0, 'confirm-ip')).toMatchObject({ isBlocked: false, totalHits: 1 });
    storage.onApplicationShutdown();
  });
});
