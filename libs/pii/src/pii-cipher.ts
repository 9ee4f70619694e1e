import { createCipheriv, createDecipheriv, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto';
import { decodeBase64UrlStrict, encodeBase64Url } from './base64';
import { PiiDecryptionError } from './pii-errors';
import { ENCRYPTION_KEY_BYTES, KID_PATTERN, parseEncryptionKeys, type PiiEncryptionKey } from './pii-keys';

/** v1: AAD is the header only (still decrypted; `pii:rotate` upgrades it). v2: AAD binds the column too. */
const LEGACY_VERSION = 'v1';
const VERSION = 'v2';
/** Domain separation: these keys encrypt the personal-data columns and nothing else. */
const PURPOSE = 'pii';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

/**
 * The encrypted columns, named alike in `certifications` and `users`. The AAD binds the column,
 * not the table: the signup copies a column's ciphertext from certifications to users in SQL.
 */
export const PII_COLUMNS = ['name_enc', 'phone_enc', 'ci_enc', 'di_enc'] as const;
export type PiiColumn = (typeof PII_COLUMNS)[number];

interface ParsedToken {
  version: typeof LEGACY_VERSION | typeof VERSION;
  kid: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

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

interface KeyEntry {
  key: KeyObject;
  /** v1's AAD. */
  legacyAad: Buffer;
  /** v2's AAD per column. */
  aad: ReadonlyMap<PiiColumn, Buffer>;
}

/**
 * AES-256-GCM at rest as `v2.<kid>.<iv>.<ciphertext>.<tag>` (base64url): the key id travels
 * with the data so keys can rotate; the AAD is `v2.<kid>.pii.<column>`, so a token can be
 * neither relabelled nor moved to another column (docs/security.md, section 12).
 * Random IVs: equal plaintexts differ (look values up with BlindIndex); rotate well before 2^32.
 */
export class PiiCipher {
  /** Keys as KeyObjects (a raw Buffer would be turned into one on every call) and their AADs. */
  private readonly keys: ReadonlyMap<string, KeyEntry>;
  private readonly ivs = new IvPool();
  /** Key id used by `encrypt`. */
  readonly activeKid: string;

  /** @param keys as returned by `parseEncryptionKeys`; the first one is active. */
  constructor(keys: readonly PiiEncryptionKey[]) {
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new TypeError('PiiCipher needs at least one encryption key');
    }
    const map = new Map<string, KeyEntry>();
    for (const { kid, key } of keys) {
      if (!KID_PATTERN.test(kid)) throw new TypeError('PiiCipher: invalid key id');
      if (map.has(kid)) throw new TypeError(`PiiCipher: duplicate key id "${kid}"`);
      if (!Buffer.isBuffer(key) || key.length !== ENCRYPTION_KEY_BYTES) {
        throw new TypeError(`PiiCipher: key "${kid}" must be ${ENCRYPTION_KEY_BYTES} bytes`);
      }
      // createSecretKey copies the bytes: the caller's buffer may be zeroed or reused.
      const aad = new Map(PII_COLUMNS.map((column) => [column, Buffer.from(`${VERSION}.${kid}.${PURPOSE}.${column}`, 'ascii')] as const));
      map.set(kid, { key: createSecretKey(key), legacyAad: Buffer.from(`${LEGACY_VERSION}.${kid}`, 'ascii'), aad });
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

  /** @param column the column the token is stored in: only that column's reader can decrypt it */
  encrypt(plaintext: string, column: PiiColumn): string {
    if (typeof plaintext !== 'string') {
      throw new TypeError('PiiCipher.encrypt expects a string');
    }
    const kid = this.activeKid;
    const entry = this.keys.get(kid)!;
    const aad = aadOf(entry, column);
    const key = entry.key;
    const iv = this.ivs.next();
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, kid, encodeBase64Url(iv), encodeBase64Url(ciphertext), encodeBase64Url(tag)].join('.');
  }

  /**
   * @param column the column the token was read from (a v1 token, from before column binding, decrypts in any)
   * @throws PiiDecryptionError (`malformed`, `unknown_key` or `authentication_failed`, also for a token of another column).
   */
  decrypt(token: string, column: PiiColumn): string {
    const { version, kid, iv, ciphertext, tag } = parseToken(token);
    const entry = this.keys.get(kid);
    if (entry === undefined) throw new PiiDecryptionError('unknown_key');
    const columnAad = aadOf(entry, column);
    const aad = version === LEGACY_VERSION ? entry.legacyAad : columnAad;
    try {
      const decipher = createDecipheriv(ALGORITHM, entry.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
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
   * True when the token was encrypted under a key other than the active one, or in the v1
   * format (no column binding), so `pii:rotate` should re-encrypt it.
   * @throws PiiDecryptionError (`malformed`) for a non-token.
   */
  needsReencryption(token: string): boolean {
    const { version, kid } = parseToken(token);
    return version !== VERSION || kid !== this.activeKid;
  }

  /** The token re-encrypted under the active key in the current format, or the same token if it already is. */
  reencrypt(token: string, column: PiiColumn): string {
    return this.needsReencryption(token) ? this.encrypt(this.decrypt(token, column), column) : token;
  }

  /** The prefix of every token `encrypt` writes now (`v2.<active kid>.`): what a rotation leaves alone. */
  get currentPrefix(): string {
    return `${VERSION}.${this.activeKid}.`;
  }
}

function aadOf(entry: KeyEntry, column: PiiColumn): Buffer {
  const aad = entry.aad.get(column);
  if (aad === undefined) throw new TypeError(`PiiCipher: unknown column (one of ${PII_COLUMNS.join(', ')})`);
  return aad;
}

function parseToken(token: string): ParsedToken {
  if (typeof token !== 'string') throw new PiiDecryptionError('malformed');
  const parts = token.split('.');
  if (parts.length !== 5 || (parts[0] !== VERSION && parts[0] !== LEGACY_VERSION) || !KID_PATTERN.test(parts[1])) {
    throw new PiiDecryptionError('malformed');
  }
  const iv = decodeBase64UrlStrict(parts[2]);
  const ciphertext = decodeBase64UrlStrict(parts[3]);
  const tag = decodeBase64UrlStrict(parts[4]);
  if (iv === null || iv.length !== IV_BYTES || ciphertext === null || tag === null || tag.length !== TAG_BYTES) {
    throw new PiiDecryptionError('malformed');
  }
  return { version: parts[0] as ParsedToken['version'], kid: parts[1], iv, ciphertext, tag };
}
