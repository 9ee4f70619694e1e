import { BlindIndex, generateKeyMaterial } from '@app/pii';
import { RateLimitedError } from '@app/common';
import { RateLimitService, type RateLimitStorage } from './rate-limit.service';
import type { RateLimitRules } from './rate-limit.rules';

/** Counts per key in memory and records the keys it was asked for. */
class RecordingStorage {
  readonly keys: string[] = [];
  private readonly hits = new Map<string, number>();
  async increment(key: string, ttl: number, limit: number) {
    this.keys.push(key);
    const totalHits = (this.hits.get(key) ?? 0) + 1;
    this.hits.set(key, totalHits);
    return { totalHits, timeToExpire: ttl / 1000, isBlocked: totalHits > limit, timeToBlockExpire: totalHits > limit ? 60 : 0 };
  }
  async peek(key: string) {
    return { totalHits: this.hits.get(key) ?? 0, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };
  }
}

const RULES = { signup: [{ name: 'signup-ip', scope: 'ip', limit: 2 }] } as unknown as RateLimitRules;

function service(storage: RecordingStorage, blindIndex: BlindIndex): RateLimitService {
  return new RateLimitService(RULES, storage as unknown as RateLimitStorage, blindIndex);
}

describe('RateLimitService counter keys', () => {
  const blindIndex = new BlindIndex(Buffer.from(generateKeyMaterial().hmacKey, 'base64'));
  const noHeaders = () => undefined;

  it('keys an IP by its HMAC (never in clear), the same key every time, one counter per IP', async () => {
    const storage = new RecordingStorage();
    const limits = service(storage, blindIndex);
    await limits.hit('signup', { ip: '203.0.113.7' }, noHeaders);
    await limits.hit('signup', { ip: '203.0.113.7' }, noHeaders);
    await expect(limits.hit('signup', { ip: '203.0.113.7' }, noHeaders)).rejects.toBeInstanceOf(RateLimitedError);
    await limits.hit('signup', { ip: '203.0.113.8' }, noHeaders);
    expect(new Set(storage.keys.slice(0, 3)).size).toBe(1);
    expect(storage.keys[3]).not.toBe(storage.keys[0]);
    expect(storage.keys.join(' ')).not.toContain('203.0.113');
    expect(storage.keys[0]).toBe(`signup-ip:${blindIndex.compute('rate-limit', 'ip:203.0.113.7')}`);
  });

  it('keeps the same key for an IP after its kept digests start over (past 10,000 IPs)', async () => {
    const storage = new RecordingStorage();
    const limits = service(storage, blindIndex);
    await limits.hit('signup', { ip: '198.51.100.1' }, noHeaders);
    for (let i = 0; i < 10_001; i++) await limits.hit('signup', { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }, noHeaders);
    await limits.hit('signup', { ip: '198.51.100.1' }, noHeaders);
    expect(storage.keys.at(-1)).toBe(storage.keys[0]);
    await expect(limits.hit('signup', { ip: '198.51.100.1' }, noHeaders)).rejects.toBeInstanceOf(RateLimitedError);
  });
});
