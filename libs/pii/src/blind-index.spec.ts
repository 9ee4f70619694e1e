import { createHmac, randomBytes } from 'node:crypto';
import { BlindIndex } from './blind-index';
import { PiiConfigError } from './pii-errors';

describe('BlindIndex', () => {
  const key = randomBytes(32);
  const index = new BlindIndex(key);

  it('returns 64 lowercase hex characters', () => {
    expect(index.compute('ci', 'abc')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic, also across instances with the same key', () => {
    const a = index.compute('phone', '01012345678');
    expect(index.compute('phone', '01012345678')).toBe(a);
    expect(new BlindIndex(Buffer.from(key)).compute('phone', '01012345678')).toBe(a);
    expect(BlindIndex.fromConfig(key.toString('base64')).compute('phone', '01012345678')).toBe(a);
  });

  it('separates purposes: the same value gives unrelated digests', () => {
    const value = 'AbCdEf0123456789';
    const digests = ['ci', 'di', 'phone', 'email', 'ci.v2'].map((p) => index.compute(p, value));
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('is not a plain HMAC of the value or of purpose+value', () => {
    const value = '01012345678';
    const digest = index.compute('phone', value);
    for (const message of [value, `phone${value}`, `phone:${value}`, `phone\u0000${value}`]) {
      expect(createHmac('sha256', key).update(message).digest('hex')).not.toBe(digest);
    }
  });

  it('matches the documented construction (subkey per purpose)', () => {
    const subkey = createHmac('sha256', key).update('pii-blind-index/v1/ci').digest();
    expect(index.compute('ci', 'X')).toBe(createHmac('sha256', subkey).update('X', 'utf8').digest('hex'));
  });

  it('depends on the key', () => {
    const other = new BlindIndex(randomBytes(32));
    expect(other.compute('ci', 'same')).not.toBe(index.compute('ci', 'same'));
  });

  it('distinguishes values, including ones that differ only in normalization', () => {
    expect(index.compute('phone', '01012345678')).not.toBe(index.compute('phone', '010-1234-5678'));
    expect(index.compute('phone', '01012345678')).not.toBe(index.compute('phone', '01012345679'));
    expect(index.compute('ci', '홍길동')).not.toBe(index.compute('ci', '홍길동'.normalize('NFD')));
  });

  it('does not let the purpose/value boundary shift', () => {
    expect(index.compute('ci', 'ab')).not.toBe(index.compute('cia', 'b'));
  });

  it('rejects empty or non-string values', () => {
    expect(() => index.compute('ci', '')).toThrow(TypeError);
    expect(() => index.compute('ci', undefined as unknown as string)).toThrow(TypeError);
  });

  it.each(['', 'with space', 'a:b', 'x'.repeat(65), 'ü'])('rejects the purpose %j', (purpose) => {
    expect(() => index.compute(purpose, 'value')).toThrow(TypeError);
  });

  it('rejects short keys', () => {
    expect(() => new BlindIndex(randomBytes(31))).toThrow(TypeError);
    expect(() => BlindIndex.fromConfig(randomBytes(16).toString('base64'))).toThrow(PiiConfigError);
  });
});
