import { createHmac } from 'node:crypto';
import { MIN_HMAC_KEY_BYTES, parseHmacKey } from './pii-keys';

/** Well-known purposes; any other name matching `[A-Za-z0-9_.-]{1,64}` may be used too. */
export type BlindIndexPurpose = 'ci' | 'phone' | 'di' | (string & {});

const PURPOSE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const DOMAIN = 'pii-blind-index/v1/';

/**
 * Blind indexes: HMAC-SHA256 of a value under a secret key (separate from the encryption keys),
 * stored beside the ciphertext so equality lookups and UNIQUE constraints work without
 * decrypting. Output: 64 lowercase hex characters.
 *
 * Domain separation: each purpose gets its own subkey, `HMAC(key, "pii-blind-index/v1/" +
 * purpose)`, and the value is MACed under that subkey, so the same value indexed for `phone`
 * and for `ci` gives unrelated digests (one index cannot be joined against another).
 *
 * The caller normalizes the value before computing (the digest is of the exact UTF-8 bytes):
 * a phone as `normalizePhone` returns it (`01012345678`), a CI/DI exactly as the upstream
 * returns it. Indexing `010-1234-5678` and `01012345678` gives two different digests.
 *
 * Rotating the HMAC key means recomputing every index (from the decrypted values), so it is
 * not rotated with the encryption keys.
 */
export class BlindIndex {
  private readonly key: Buffer;
  private readonly subkeys = new Map<string, Buffer>();

  constructor(key: Buffer) {
    if (!Buffer.isBuffer(key) || key.length < MIN_HMAC_KEY_BYTES) {
      throw new TypeError(`BlindIndex needs a key of at least ${MIN_HMAC_KEY_BYTES} bytes`);
    }
    this.key = Buffer.from(key);
  }

  /** Builds an index straight from the `PII_HMAC_KEY` format. */
  static fromConfig(hmacKey: string): BlindIndex {
    return new BlindIndex(parseHmacKey(hmacKey));
  }

  /**
   * @param purpose `ci`, `phone`, `di` or another `[A-Za-z0-9_.-]{1,64}` name
   * @param value already normalized, non-empty
   * @returns 64 hex characters
   */
  compute(purpose: BlindIndexPurpose, value: string): string {
    if (typeof value !== 'string' || value.length === 0) {
      // An index of '' would make every empty value "the same person".
      throw new TypeError('BlindIndex.compute expects a non-empty string value');
    }
    return createHmac('sha256', this.subkey(purpose)).update(value, 'utf8').digest('hex');
  }

  private subkey(purpose: string): Buffer {
    let subkey = this.subkeys.get(purpose);
    if (subkey === undefined) {
      if (typeof purpose !== 'string' || !PURPOSE_PATTERN.test(purpose)) {
        throw new TypeError('BlindIndex purpose must match [A-Za-z0-9_.-]{1,64}');
      }
      subkey = createHmac('sha256', this.key).update(DOMAIN + purpose, 'utf8').digest();
      this.subkeys.set(purpose, subkey);
    }
    return subkey;
  }
}
