import { createCipheriv, createDecipheriv, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto';
import { decodeBase64UrlStrict, encodeBase64Url } from './base64';
import { PiiDecryptionError } from './pii-errors';
import { ENCRYPTION_KEY_BYTES, KID_PATTERN, parseEncryptionKeys, type PiiEncryptionKey } from './pii-keys';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

interface ParsedToken {
  kid: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * AES-256-GCM at rest as `v1.<kid>.<iv>.<ciphertext>.<tag>` (base64url): the key id travels
 * with the data so keys can rotate, and the header is the AAD so a token cannot be relabelled.
 * Random IVs: equal plaintexts differ (look values up with BlindIndex); rotate well before 2^32.
 */
/** IVs sliced from a 4 KiB CSPRNG pool (cheaper than randomBytes(12) per call); each slice is used once, as GCM needs. */
class IvPool {
  private pool = Buffer.alloc(0);
  private offset = 0;

  next(): Buffer {
    if (this.offset + IV_BYTES > this.pool.length) {
      this.pool = randomFillSync(Buffer.allocUnsafe(4096));
      this.offset = 0;
    }
    // A copy: the caller keeps the IV, the pool's memory is refilled later.
    const iv = Buffer.from(this.pool.subarray(this.offset, this.offset + IV_BYTES));
    this.offset += IV_BYTES;
    return iv;
  }
}

export class PiiCipher {
  /** Keys as KeyObjects (a raw Buffer would be turned into one on every call) and their AAD headers. */
  private readonly keys: ReadonlyMap<string, { key: KeyObject; aad: Buffer }>;
  private readonly ivs = new IvPool();
  /** Key id used by `encrypt`. */
  readonly activeKid: string;

  /** @param keys as returned by `parseEncryptionKeys`; the first one is active. */
  constructor(keys: readonly PiiEncryptionKey[]) {
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new TypeError('PiiCipher needs at least one encryption key');
    }
    const map = new Map<string, { key: KeyObject; aad: Buffer }>();
    for (const { kid, key } of keys) {
      if (!KID_PATTERN.test(kid)) throw new TypeError('PiiCipher: invalid key id');
      if (map.has(kid)) throw new TypeError(`PiiCipher: duplicate key id "${kid}"`);
      if (!Buffer.isBuffer(key) || key.length !== ENCRYPTION_KEY_BYTES) {
        throw new TypeError(`PiiCipher: key "${kid}" must be ${ENCRYPTION_KEY_BYTES} bytes`);
      }
      // createSecretKey copies the bytes: the caller's buffer may be zeroed or reused.
      map.set(kid, { key: createSecretKey(key), aad: header(kid) });
    }
    this.keys = map;
    this.activeKid = keys[0].kid;
  }

  /** Builds a cipher straight from the `PII_ENCRYPTION_KEYS` format. */
  static fromConfig(encryptionKeys: string): PiiCipher {
    return new PiiCipher(parseEncryptionKeys(encryptionKeys));
  }

  /** Ids of all configured keys, active first. */
  get kids(): string[] {
    return [...this.keys.keys()];
  }

  encrypt(plaintext: string): string {
    if (typeof plaintext !== 'string') {
      throw new TypeError('PiiCipher.encrypt expects a string');
    }
    const kid = this.activeKid;
    const { key, aad } = this.keys.get(kid)!;
    const iv = this.ivs.next();
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, kid, encodeBase64Url(iv), encodeBase64Url(ciphertext), encodeBase64Url(tag)].join('.');
  }

  /** @throws PiiDecryptionError (`malformed`, `unknown_key` or `authentication_failed`). */
  decrypt(token: string): string {
    const { kid, iv, ciphertext, tag } = parseToken(token);
    const entry = this.keys.get(kid);
    if (entry === undefined) throw new PiiDecryptionError('unknown_key');
    try {
      const decipher = createDecipheriv(ALGORITHM, entry.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(entry.aad);
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      // GCM authenticated the bytes; they came from `encrypt`, which only takes strings.
      return plaintext.toString('utf8');
    } catch {
      // The OpenSSL error says nothing useful and is not echoed.
      throw new PiiDecryptionError('authentication_failed');
    }
  }

  /** The key id a token was encrypted under. @throws PiiDecryptionError (`malformed`). */
  kidOf(token: string): string {
    return parseToken(token).kid;
  }

  /**
   * True when the token was encrypted under a key other than the active one, so a rotation job
   * should re-encrypt it. @throws PiiDecryptionError (`malformed`) for a non-token.
   */
  needsReencryption(token: string): boolean {
    return this.kidOf(token) !== this.activeKid;
  }

  /** Returns the token re-encrypted under the active key, or the same token if it already is. */
  reencrypt(token: string): string {
    return this.needsReencryption(token) ? this.encrypt(this.decrypt(token)) : token;
  }
}

function header(kid: string): Buffer {
  return Buffer.from(`${VERSION}.${kid}`, 'ascii');
}

function parseToken(token: string): ParsedToken {
  if (typeof token !== 'string') throw new PiiDecryptionError('malformed');
  const parts = token.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION || !KID_PATTERN.test(parts[1])) {
    throw new PiiDecryptionError('malformed');
  }
  const iv = decodeBase64UrlStrict(parts[2]);
  const ciphertext = decodeBase64UrlStrict(parts[3]);
  const tag = decodeBase64UrlStrict(parts[4]);
  if (iv === null || iv.length !== IV_BYTES || ciphertext === null || tag === null || tag.length !== TAG_BYTES) {
    throw new PiiDecryptionError('malformed');
  }
  return { kid: parts[1], iv, ciphertext, tag };
}
