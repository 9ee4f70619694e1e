import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * The same encryption at rest and blind indexes as @app/pii (AES-256-GCM token
 * `v1.<kid>.<iv>.<ct>.<tag>` with the header as AAD; HMAC-SHA256 under a per-purpose subkey),
 * written directly on node:crypto so the baseline does the same cryptographic work with no
 * framework. Rows it writes are readable by the api with the same keys.
 */
export class BaselinePii {
  private readonly kid: string;
  private readonly key: Buffer;
  private readonly aad: Buffer;
  private readonly subkeys = new Map<string, Buffer>();

  constructor(encryptionKeys: string, private readonly hmacKey: Buffer) {
    const [kid, b64] = encryptionKeys.split(',')[0].trim().split(':');
    this.kid = kid;
    this.key = Buffer.from(b64, 'base64');
    this.aad = Buffer.from(`v1.${kid}`, 'ascii');
    if (this.key.length !== 32) throw new Error('encryption key must be 32 bytes');
  }

  static fromEnv(env: NodeJS.ProcessEnv): BaselinePii {
    return new BaselinePii(env.PII_ENCRYPTION_KEYS ?? '', Buffer.from(env.PII_HMAC_KEY ?? '', 'base64'));
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: 16 });
    c.setAAD(this.aad);
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return `v1.${this.kid}.${iv.toString('base64url')}.${ct.toString('base64url')}.${c.getAuthTag().toString('base64url')}`;
  }

  blindIndex(purpose: string, value: string): string {
    let sub = this.subkeys.get(purpose);
    if (!sub) {
      sub = createHmac('sha256', this.hmacKey).update(`pii-blind-index/v1/${purpose}`, 'utf8').digest();
      this.subkeys.set(purpose, sub);
    }
    return createHmac('sha256', sub).update(value, 'utf8').digest('hex');
  }
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** 홍길동 -> 홍*동, 이순 -> 이*, as the api's masked view. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}
