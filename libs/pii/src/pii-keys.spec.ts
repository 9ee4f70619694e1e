import { randomBytes } from 'node:crypto';
import { PiiConfigError } from './pii-errors';
import { generateKeyMaterial, parseEncryptionKeys, parseHmacKey, parsePiiKeyMaterial } from './pii-keys';

const key32 = () => randomBytes(32).toString('base64');

/** Asserts that `fn` throws a PiiConfigError matching `pattern` whose message echoes none of `secrets`. */
function expectConfigError(fn: () => unknown, pattern: RegExp, secrets: string[] = []): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PiiConfigError);
  const message = (caught as Error).message;
  expect(message).toMatch(pattern);
  for (const secret of secrets.filter((s) => s.length >= 4)) {
    expect(message).not.toContain(secret);
  }
}

describe('parseEncryptionKeys', () => {
  it('parses one entry', () => {
    const k = randomBytes(32);
    const keys = parseEncryptionKeys(`main:${k.toString('base64')}`);
    expect(keys).toHaveLength(1);
    expect(keys[0].kid).toBe('main');
    expect(keys[0].key.equals(k)).toBe(true);
  });

  it('keeps the order (first is active) and tolerates spaces around entries', () => {
    const [a, b, c] = [key32(), key32(), key32()];
    const keys = parseEncryptionKeys(` k3:${a} , k2 : ${b},k_1-x:${c} `);
    expect(keys.map((k) => k.kid)).toEqual(['k3', 'k2', 'k_1-x']);
    expect(keys[1].key.toString('base64')).toBe(b);
  });

  it('accepts base64url and unpadded base64', () => {
    const k = randomBytes(32);
    const keys = parseEncryptionKeys(`a:${k.toString('base64url')},b:${k.toString('base64').replace(/=+$/, '')}`);
    expect(keys[0].key.equals(k)).toBe(true);
    expect(keys[1].key.equals(k)).toBe(true);
  });

  it('accepts a kid of 32 characters and rejects 33', () => {
    expect(parseEncryptionKeys(`${'a'.repeat(32)}:${key32()}`)[0].kid).toHaveLength(32);
    expectConfigError(() => parseEncryptionKeys(`${'a'.repeat(33)}:${key32()}`), /entry #1: the key id must match/);
  });

  it.each([
    ['undefined', undefined],
    ['empty', ''],
    ['blank', '   '],
  ])('rejects an %s value', (_label, raw) => {
    expectConfigError(() => parseEncryptionKeys(raw as string), /PII_ENCRYPTION_KEYS is empty/);
  });

  it('rejects an empty entry (stray comma)', () => {
    const a = key32();
    expectConfigError(() => parseEncryptionKeys(`k1:${a},`), /entry #2 is empty/, [a]);
    expectConfigError(() => parseEncryptionKeys(`,k1:${a}`), /entry #1 is empty/, [a]);
  });

  it('rejects an entry without a kid, without echoing it', () => {
    const a = key32();
    expectConfigError(() => parseEncryptionKeys(a), /entry #1 is not of the form "kid:base64-of-32-bytes"/, [a]);
    expectConfigError(() => parseEncryptionKeys(`a:b:${a}`), /entry #1 is not of the form/, [a]);
  });

  it.each(['', 'with space', 'dot.ted', 'ключ', 'k/1'])('rejects the kid %j without echoing it', (kid) => {
    const a = key32();
    expectConfigError(() => parseEncryptionKeys(`ok:${key32()},${kid}:${a}`), /entry #2: the key id must match/, [a]);
  });

  it('rejects a key pasted where the kid belongs, without echoing the key', () => {
    const a = key32();
    expectConfigError(() => parseEncryptionKeys(`${a}:${key32()}`), /entry #1: the key id must match/, [a, a.slice(0, 8)]);
  });

  it('rejects duplicate kids', () => {
    expectConfigError(() => parseEncryptionKeys(`k1:${key32()},k2:${key32()},k1:${key32()}`), /entry #3: duplicate key id "k1"/);
  });

  it.each([
    ['not base64 at all', 'this is not base64!!'],
    ['invalid characters', '%%%%' + randomBytes(30).toString('base64')],
    ['mixed alphabets', 'ab+/cd-_' + randomBytes(27).toString('base64')],
    ['wrong padding', randomBytes(32).toString('base64') + '=='],
    ['non-canonical trailing bits', randomBytes(32).toString('base64').replace(/.=$/, 'B=')],
  ])('rejects bad base64 (%s) without echoing it', (_label, encoded) => {
    expectConfigError(() => parseEncryptionKeys(`k1:${encoded}`), /entry #1 \(kid "k1"\): the key is not valid base64/, [encoded]);
  });

  it.each([16, 24, 31, 33, 64])('rejects a key of %i bytes', (size) => {
    const encoded = randomBytes(size).toString('base64');
    expectConfigError(
      () => parseEncryptionKeys(`k1:${key32()},k2:${encoded}`),
      new RegExp(`entry #2 \\(kid "k2"\\): the key must decode to exactly 32 bytes, got ${size}`),
      [encoded],
    );
  });

  it('rejects an empty key', () => {
    expectConfigError(() => parseEncryptionKeys('k1:'), /not valid base64/);
  });
});

describe('parseHmacKey', () => {
  it('parses 32 bytes and more', () => {
    const k = randomBytes(32);
    expect(parseHmacKey(k.toString('base64')).equals(k)).toBe(true);
    const long = randomBytes(64);
    expect(parseHmacKey(` ${long.toString('base64url')} `).equals(long)).toBe(true);
  });

  it.each([undefined, '', '  '])('rejects %j as empty', (raw) => {
    expectConfigError(() => parseHmacKey(raw), /PII_HMAC_KEY is empty/);
  });

  it('rejects bad base64 without echoing it', () => {
    const raw = 'not*base64*' + randomBytes(32).toString('hex');
    expectConfigError(() => parseHmacKey(raw), /PII_HMAC_KEY is not valid base64/, [raw]);
  });

  it('rejects a short key without echoing it', () => {
    const raw = randomBytes(31).toString('base64');
    expectConfigError(() => parseHmacKey(raw), /at least 32 bytes, got 31/, [raw]);
  });
});

describe('parsePiiKeyMaterial', () => {
  it('rejects an HMAC key equal to an encryption key', () => {
    const a = key32();
    expectConfigError(
      () => parsePiiKeyMaterial({ encryptionKeys: `k2:${key32()},k1:${a}`, hmacKey: a }),
      /PII_HMAC_KEY must be a separate key/,
      [a],
    );
  });

  it('returns both parsed settings', () => {
    const material = parsePiiKeyMaterial(generateKeyMaterial());
    expect(material.encryptionKeys).toHaveLength(1);
    expect(material.hmacKey.length).toBe(32);
  });
});

describe('generateKeyMaterial', () => {
  it('produces values that the parsers accept', () => {
    const { encryptionKeys, hmacKey } = generateKeyMaterial(new Date('2026-03-14T12:00:00Z'));
    const keys = parseEncryptionKeys(encryptionKeys);
    expect(keys).toHaveLength(1);
    expect(keys[0].kid).toMatch(/^k20260314[0-9a-f]{4}$/);
    expect(keys[0].key.length).toBe(32);
    expect(parseHmacKey(hmacKey).length).toBe(32);
  });

  it('is random', () => {
    const a = generateKeyMaterial();
    const b = generateKeyMaterial();
    expect(a.encryptionKeys.split(':')[1]).not.toBe(b.encryptionKeys.split(':')[1]);
    expect(a.hmacKey).not.toBe(b.hmacKey);
    expect(a.hmacKey).not.toBe(a.encryptionKeys.split(':')[1]);
  });

  it('can be prepended for a rotation', () => {
    const old = generateKeyMaterial(new Date('2025-01-01T00:00:00Z')).encryptionKeys;
    const next = generateKeyMaterial(new Date('2026-01-01T00:00:00Z')).encryptionKeys;
    expect(parseEncryptionKeys(`${next},${old}`).map((k) => k.kid.slice(0, 9))).toEqual(['k20260101', 'k20250101']);
  });
});
