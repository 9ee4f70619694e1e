import { createHmac } from 'node:crypto';
import { MIN_HMAC_KEY_BYTES, parseHmacKey } from './pii-keys';

/** Well-known purposes; any other name matching `[A-Za-z0-9_.-]{1,64}` may be used too. */
export type BlindIndexPurpose = 'ci' | 'phone' | 'di' | (string & {});

const PURPOSE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const DOMAIN = 'pii-blind-index/v1/';

/**
 * HMAC-SHA256 (64 hex) of a normalized value, so lookups and UNIQUE constraints work without
 * decrypting; one subkey per purpose, so a phone index cannot be joined against a CI index.
 * The key does not rotate with the encryption keys: changing it means recomputing every index.
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
