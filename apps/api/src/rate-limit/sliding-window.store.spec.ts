import { MemorySlidingWindowStore, SlidingWindowThrottlerStorage } from './sliding-window.store';

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
