import { randomBytes } from 'node:crypto';
import { PiiCipher } from './pii-cipher';
import { PiiDecryptionError, type PiiDecryptionFailure } from './pii-errors';
import { parseEncryptionKeys, type PiiEncryptionKey } from './pii-keys';

const entry = (kid: string) => `${kid}:${randomBytes(32).toString('base64')}`;

function expectDecryptionError(fn: () => unknown, reason: PiiDecryptionFailure, mustNotContain: string[] = []): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PiiDecryptionError);
  expect((caught as PiiDecryptionError).reason).toBe(reason);
  for (const s of mustNotContain) expect((caught as Error).message).not.toContain(s);
}

/** Flips one bit of the byte at `index` of a base64url segment and re-encodes it canonically. */
function flipByte(segment: string, index: number): string {
  const bytes = Buffer.from(segment, 'base64url');
  bytes[index] ^= 0x01;
  return bytes.toString('base64url');
}

describe('PiiCipher', () => {
  const k1 = entry('k1');
  const cipher = PiiCipher.fromConfig(k1);

  describe('round trip', () => {
    it.each([
      ['Hangul', '홍길동'],
      ['a phone number', '01012345678'],
      ['emoji and astral characters', '👩‍👩‍👧 𠜎 test'],
      ['the empty string', ''],
      ['a CI of 88 characters', 'A'.repeat(86) + '=='],
      ['dots and separators', 'v1.k1.a.b.c'],
      ['a long text', '가'.repeat(10_000)],
      ['NUL and control characters', 'a\u0000b\nc'],
    ])('%s', (_label, plaintext) => {
      const token = cipher.encrypt(plaintext, 'name_enc');
      expect(cipher.decrypt(token, 'name_enc')).toBe(plaintext);
    });

    it('keeps Hangul in NFD form byte for byte', () => {
      const nfd = '홍길동'.normalize('NFD');
      expect(cipher.decrypt(cipher.encrypt(nfd, 'name_enc'), 'name_enc')).toBe(nfd);
    });
  });

  it('produces the documented format', () => {
    const token = cipher.encrypt('홍길동', 'name_enc');
    expect(token).toMatch(/^v2\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    const [, , iv, ct, tag] = token.split('.');
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(ct, 'base64url')).toHaveLength(Buffer.byteLength('홍길동'));
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    expect(token).not.toContain('홍길동');
  });

  it('encrypts the empty string to an empty ciphertext segment', () => {
    const token = cipher.encrypt('', 'name_enc');
    expect(token.split('.')[3]).toBe('');
    expect(cipher.decrypt(token, 'name_enc')).toBe('');
  });

  it('gives different tokens (and IVs) for the same plaintext', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => cipher.encrypt('홍길동', 'name_enc')));
    expect(tokens.size).toBe(50);
    const ivs = new Set([...tokens].map((t) => t.split('.')[2]));
    expect(ivs.size).toBe(50);
  });

  it('never repeats an IV across refills of its random pool (10,000 encryptions, ~30 pools), and every token decrypts', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const token = cipher.encrypt(`p${i}`, 'name_enc');
      ivs.add(token.split('.')[2]);
      if (i % 997 === 0) expect(cipher.decrypt(token, 'name_enc')).toBe(`p${i}`);
    }
    expect(ivs.size).toBe(10_000);
    // no run of zero bytes from an unfilled pool
    expect(ivs.has(Buffer.alloc(12).toString('base64url'))).toBe(false);
  });

  it('rejects non-string plaintext', () => {
    expect(() => cipher.encrypt(undefined as unknown as string, 'name_enc')).toThrow(TypeError);
    expect(() => cipher.encrypt(123 as unknown as string, 'name_enc')).toThrow(TypeError);
  });

  describe('key rotation', () => {
    const k2 = entry('k2');
    const oldCipher = PiiCipher.fromConfig(k1);
    const rotated = PiiCipher.fromConfig(`${k2},${k1}`);

    it('decrypts tokens of the old key after a new active key is prepended', () => {
      const old = oldCipher.encrypt('홍길동', 'name_enc');
      expect(rotated.decrypt(old, 'name_enc')).toBe('홍길동');
    });

    it('encrypts under the new key', () => {
      expect(rotated.activeKid).toBe('k2');
      expect(rotated.kids).toEqual(['k2', 'k1']);
      const token = rotated.encrypt('홍길동', 'name_enc');
      expect(token.startsWith('v2.k2.')).toBe(true);
      expect(rotated.kidOf(token)).toBe('k2');
      // the old deployment does not know k2
      expectDecryptionError(() => oldCipher.decrypt(token, 'name_enc'), 'unknown_key');
    });

    it('tells which tokens need re-encryption and re-encrypts them', () => {
      const old = oldCipher.encrypt('01012345678', 'name_enc');
      expect(rotated.needsReencryption(old)).toBe(true);
      const fresh = rotated.reencrypt(old, 'name_enc');
      expect(fresh.startsWith('v2.k2.')).toBe(true);
      expect(rotated.needsReencryption(fresh)).toBe(false);
      expect(rotated.decrypt(fresh, 'name_enc')).toBe('01012345678');
      expect(rotated.reencrypt(fresh, 'name_enc')).toBe(fresh);
      expect(oldCipher.needsReencryption(old)).toBe(false);
    });

    it('fails to decrypt old tokens once the old key is removed', () => {
      const old = oldCipher.encrypt('x', 'name_enc');
      expectDecryptionError(() => PiiCipher.fromConfig(k2).decrypt(old, 'name_enc'), 'unknown_key');
    });

    it('needsReencryption throws on a malformed token', () => {
      expectDecryptionError(() => rotated.needsReencryption('garbage'), 'malformed');
    });
  });

  describe('tamper detection', () => {
    const plaintext = '홍길동 01012345678';
    const token = cipher.encrypt(plaintext, 'name_enc');
    const parts = token.split('.');
    const withPart = (index: number, value: string) => parts.map((p, i) => (i === index ? value : p)).join('.');

    it.each([
      ['iv', 2, 12],
      ['ciphertext', 3, Buffer.byteLength(plaintext)],
      ['tag', 4, 16],
    ])('detects a change in any byte of the %s', (_label, index, length) => {
      for (let byte = 0; byte < length; byte++) {
        const tampered = withPart(index, flipByte(parts[index], byte));
        expectDecryptionError(() => cipher.decrypt(tampered, 'name_enc'), 'authentication_failed', [plaintext]);
      }
    });

    it('detects a relabelled kid even when the new kid names the same key bytes', () => {
      // Same key material under two ids: only the AAD tells them apart.
      const material = randomBytes(32).toString('base64');
      const twin = PiiCipher.fromConfig(`a1:${material},b1:${material}`);
      const t = twin.encrypt('secret', 'name_enc');
      expect(twin.decrypt(t, 'name_enc')).toBe('secret');
      expectDecryptionError(() => twin.decrypt(t.replace(/^v2\.a1\./, 'v2.b1.'), 'name_enc'), 'authentication_failed');
    });

    it('detects a relabelled kid naming another key', () => {
      const two = PiiCipher.fromConfig(`${entry('k9')},${k1}`);
      const t = two.encrypt('secret', 'name_enc');
      expectDecryptionError(() => two.decrypt(t.replace(/^v2\.k9\./, 'v2.k1.'), 'name_enc'), 'authentication_failed');
    });

    it('rejects a truncated ciphertext', () => {
      const ct = Buffer.from(parts[3], 'base64url');
      expectDecryptionError(() => cipher.decrypt(withPart(3, ct.subarray(1).toString('base64url')), 'name_enc'), 'authentication_failed');
      expectDecryptionError(() => cipher.decrypt(withPart(3, ''), 'name_enc'), 'authentication_failed');
    });

    it('rejects a non-canonical base64url variant of the same bytes', () => {
      // The tag is 16 bytes = 22 chars with 4 unused bits in the last char.
      const tag = parts[4];
      const last = tag[tag.length - 1];
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const variant = alphabet[alphabet.indexOf(last) ^ 1];
      const altered = tag.slice(0, -1) + variant;
      expect(Buffer.from(altered, 'base64url').equals(Buffer.from(tag, 'base64url'))).toBe(true);
      expectDecryptionError(() => cipher.decrypt(withPart(4, altered), 'name_enc'), 'malformed');
    });

    it('rejects a token encrypted under the same kid with another key', () => {
      const impostor = PiiCipher.fromConfig(entry('k1'));
      expectDecryptionError(() => cipher.decrypt(impostor.encrypt(plaintext, 'name_enc'), 'name_enc'), 'authentication_failed', [plaintext]);
    });
  });

  describe('malformed tokens', () => {
    const good = cipher.encrypt('x', 'name_enc');
    const [, kid, iv, ct, tag] = good.split('.');

    it.each([
      ['empty', ''],
      ['plaintext', '홍길동'],
      ['too few parts', `v1.${kid}.${iv}.${ct}`],
      ['too many parts', `${good}.x`],
      ['another version', `v3.${kid}.${iv}.${ct}.${tag}`],
      ['no version', `.${kid}.${iv}.${ct}.${tag}`],
      ['invalid kid', `v1.k 1.${iv}.${ct}.${tag}`],
      ['empty kid', `v1..${iv}.${ct}.${tag}`],
      ['standard base64 characters', `v1.${kid}.${iv}+.${ct}.${tag}`],
      ['padding', `v1.${kid}.${iv}.${ct}.${tag}==`],
      ['short iv', `v1.${kid}.${Buffer.alloc(8).toString('base64url')}.${ct}.${tag}`],
      ['long iv', `v1.${kid}.${Buffer.alloc(16).toString('base64url')}.${ct}.${tag}`],
      ['short tag', `v1.${kid}.${iv}.${ct}.${Buffer.alloc(12).toString('base64url')}`],
      ['impossible base64 length', `v1.${kid}.${iv}.${ct}A.${tag}`.replace(`.${ct}A.`, '.AAAAA.')],
      ['whitespace', ` ${good}`],
    ])('%s', (_label, token) => {
      expectDecryptionError(() => cipher.decrypt(token, 'name_enc'), 'malformed');
    });

    it('non-string input', () => {
      expectDecryptionError(() => cipher.decrypt(null as unknown as string, 'name_enc'), 'malformed');
      expectDecryptionError(() => cipher.decrypt(42 as unknown as string, 'name_enc'), 'malformed');
    });

    it('unknown kid', () => {
      expectDecryptionError(() => cipher.decrypt(`v1.nope.${iv}.${ct}.${tag}`, 'name_enc'), 'unknown_key');
    });
  });

  it('error messages carry neither plaintext nor key material', () => {
    const keys = parseEncryptionKeys(k1);
    const token = cipher.encrypt('홍길동', 'name_enc');
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BA' : 'AA');
    for (const t of [tampered, 'v1.zz.AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA', 'junk']) {
      try {
        cipher.decrypt(t, 'name_enc');
        throw new Error('expected a PiiDecryptionError');
      } catch (e) {
        expect(e).toBeInstanceOf(PiiDecryptionError);
        const text = `${(e as Error).message} ${String(e)} ${JSON.stringify(e)}`;
        expect(text).not.toContain('홍길동');
        expect(text).not.toContain(keys[0].key.toString('base64'));
        expect(text).not.toContain(keys[0].key.toString('hex'));
      }
    }
  });

  describe('constructor', () => {
    const key = (kid: string, size = 32): PiiEncryptionKey => ({ kid, key: randomBytes(size) });
    it('rejects no keys, bad sizes, bad or duplicate kids', () => {
      expect(() => new PiiCipher([])).toThrow(TypeError);
      expect(() => new PiiCipher([key('a', 16)])).toThrow(TypeError);
      expect(() => new PiiCipher([key('a b')])).toThrow(TypeError);
      expect(() => new PiiCipher([key('a'), key('a')])).toThrow(TypeError);
    });

    it('copies the key bytes', () => {
      const k = key('a');
      const c = new PiiCipher([k]);
      const token = c.encrypt('x', 'name_enc');
      k.key.fill(0);
      expect(c.decrypt(token, 'name_enc')).toBe('x');
    });
  });
});
