import { createCipheriv, randomBytes } from 'node:crypto';
import { PII_COLUMNS, PiiCipher, type PiiColumn } from './pii-cipher';
import { PiiDecryptionError } from './pii-errors';

const material = randomBytes(32);
const config = `k1:${material.toString('base64')}`;

/** A token as the v1 format wrote it before column binding (AAD `v1.<kid>`). */
function legacyToken(plaintext: string, kid = 'k1', key = material): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(`v1.${kid}`, 'ascii'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', kid, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PiiDecryptionError);
    return (error as PiiDecryptionError).reason;
  }
  return 'decrypted';
}

describe('PiiCipher column binding (AAD)', () => {
  const cipher = PiiCipher.fromConfig(config);

  it('decrypts a token in its own column only: a value copied to another column does not decrypt', () => {
    for (const from of PII_COLUMNS) {
      const token = cipher.encrypt('01012345678', from);
      expect(cipher.decrypt(token, from)).toBe('01012345678');
      for (const to of PII_COLUMNS.filter((c) => c !== from)) {
        expect(reasonOf(() => cipher.decrypt(token, to))).toBe('authentication_failed');
      }
    }
  });

  it('binds the column, not the table: the signup copy (certifications.ci_enc -> users.ci_enc) stays readable', () => {
    const token = cipher.encrypt('CI-of-88-chars==', 'ci_enc');
    // the same column name in both tables: the reader of users.ci_enc decrypts it
    expect(cipher.decrypt(token, 'ci_enc')).toBe('CI-of-88-chars==');
  });

  it('refuses an unknown column (a programming error, not a decryption failure)', () => {
    expect(() => cipher.encrypt('x', 'nickname' as PiiColumn)).toThrow(TypeError);
    expect(() => cipher.decrypt(cipher.encrypt('x', 'name_enc'), 'name' as PiiColumn)).toThrow(TypeError);
  });

  describe('tokens of the v1 format (before column binding)', () => {
    it('still decrypt, in whichever column they are', () => {
      const token = legacyToken('홍길동');
      for (const column of PII_COLUMNS) expect(cipher.decrypt(token, column)).toBe('홍길동');
    });

    it('need re-encryption even under the active key, and come back bound to their column', () => {
      const token = legacyToken('홍길동');
      expect(cipher.needsReencryption(token)).toBe(true);
      const upgraded = cipher.reencrypt(token, 'name_enc');
      expect(upgraded.startsWith(cipher.currentPrefix)).toBe(true);
      expect(cipher.needsReencryption(upgraded)).toBe(false);
      expect(cipher.decrypt(upgraded, 'name_enc')).toBe('홍길동');
      expect(reasonOf(() => cipher.decrypt(upgraded, 'phone_enc'))).toBe('authentication_failed');
    });

    it('cannot be forged from a v2 token by relabelling its version', () => {
      const token = cipher.encrypt('secret', 'di_enc');
      expect(reasonOf(() => cipher.decrypt(token.replace(/^v2\./, 'v1.'), 'di_enc'))).toBe('authentication_failed');
      expect(reasonOf(() => cipher.decrypt(legacyToken('secret').replace(/^v1\./, 'v2.'), 'di_enc'))).toBe('authentication_failed');
    });
  });
});
