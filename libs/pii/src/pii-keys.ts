import { randomBytes } from 'node:crypto';
import { decodeBase64Lenient } from './base64';
import { PiiConfigError } from './pii-errors';

/** One AES-256 key with the id that names it inside ciphertexts. */
export interface PiiEncryptionKey {
  readonly kid: string;
  /** 32 bytes. */
  readonly key: Buffer;
}

export const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const ENCRYPTION_KEY_BYTES = 32;
export const MIN_HMAC_KEY_BYTES = 32;

/**
 * Parses `PII_ENCRYPTION_KEYS`: comma-separated `kid:base64` entries, each key exactly 32 bytes
 * (standard or URL-safe base64, padding optional), kids `[A-Za-z0-9_-]{1,32}` and unique.
 * The FIRST entry is the active key (new encryptions); the others only decrypt.
 * Rotation: prepend a new entry, re-encrypt (see `PiiCipher.needsReencryption`), then drop the old.
 *
 * Throws `PiiConfigError` with a message that names the entry by position (and by kid once the
 * kid is known to be well-formed), never echoing anything that could be key material.
 */
export function parseEncryptionKeys(raw: string | undefined | null): PiiEncryptionKey[] {
  const name = 'PII_ENCRYPTION_KEYS';
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new PiiConfigError(`${name} is empty: expected comma-separated "kid:base64-of-32-bytes" entries`);
  }
  const entries = raw.split(',');
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const where = `${name} entry #${index + 1}`;
    const trimmed = entry.trim();
    if (trimmed === '') {
      throw new PiiConfigError(`${where} is empty (stray comma?)`);
    }
    const parts = trimmed.split(':');
    if (parts.length !== 2) {
      throw new PiiConfigError(`${where} is not of the form "kid:base64-of-32-bytes"`);
    }
    const [kid, encoded] = [parts[0].trim(), parts[1].trim()];
    if (!KID_PATTERN.test(kid)) {
      // Not echoed: a malformed kid may be a key pasted in the wrong place.
      throw new PiiConfigError(`${where}: the key id must match [A-Za-z0-9_-]{1,32}`);
    }
    if (seen.has(kid)) {
      throw new PiiConfigError(`${where}: duplicate key id "${kid}"`);
    }
    seen.add(kid);
    const key = decodeBase64Lenient(encoded);
    if (key === null) {
      throw new PiiConfigError(`${where} (kid "${kid}"): the key is not valid base64`);
    }
    if (key.length !== ENCRYPTION_KEY_BYTES) {
      throw new PiiConfigError(
        `${where} (kid "${kid}"): the key must decode to exactly ${ENCRYPTION_KEY_BYTES} bytes, got ${key.length}`,
      );
    }
    return { kid, key };
  });
}

/**
 * Parses `PII_HMAC_KEY`: base64 (standard or URL-safe, padding optional) of at least 32 bytes.
 * Throws `PiiConfigError` without echoing the value.
 */
export function parseHmacKey(raw: string | undefined | null): Buffer {
  const name = 'PII_HMAC_KEY';
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new PiiConfigError(`${name} is empty: expected base64 of at least ${MIN_HMAC_KEY_BYTES} random bytes`);
  }
  const key = decodeBase64Lenient(raw.trim());
  if (key === null) {
    throw new PiiConfigError(`${name} is not valid base64`);
  }
  if (key.length < MIN_HMAC_KEY_BYTES) {
    throw new PiiConfigError(`${name} must decode to at least ${MIN_HMAC_KEY_BYTES} bytes, got ${key.length}`);
  }
  return key;
}

/** Parsed and cross-checked key material for `PiiCipher` and `BlindIndex`. */
export interface PiiKeyMaterial {
  readonly encryptionKeys: PiiEncryptionKey[];
  readonly hmacKey: Buffer;
}

/**
 * Parses both settings and checks that the HMAC key is not one of the encryption keys
 * (the design asks for a separate key: a leaked blind-index key must not decrypt anything).
 */
export function parsePiiKeyMaterial(options: { encryptionKeys: string; hmacKey: string }): PiiKeyMaterial {
  const encryptionKeys = parseEncryptionKeys(options?.encryptionKeys);
  const hmacKey = parseHmacKey(options?.hmacKey);
  if (encryptionKeys.some((k) => k.key.equals(hmacKey))) {
    throw new PiiConfigError('PII_HMAC_KEY must be a separate key, not one of PII_ENCRYPTION_KEYS');
  }
  return { encryptionKeys, hmacKey };
}

/**
 * Fresh random key material in the environment formats above, e.g. for the first boot of the
 * embedded mode. `encryptionKeys` has one entry whose kid is `k<UTC date><4 random hex>`,
 * e.g. `k20260314a1b2:…`, so a later rotation can prepend another generated entry.
 */
export function generateKeyMaterial(now: Date = new Date()): { encryptionKeys: string; hmacKey: string } {
  const date = now.toISOString().slice(0, 10).replace(/-/g, '');
  const kid = `k${date}${randomBytes(2).toString('hex')}`;
  return {
    encryptionKeys: `${kid}:${randomBytes(ENCRYPTION_KEY_BYTES).toString('base64')}`,
    hmacKey: randomBytes(MIN_HMAC_KEY_BYTES).toString('base64'),
  };
}
