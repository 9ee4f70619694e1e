/**
 * Messages never hold plaintext, ciphertext or key material: they may reach logs. Not DomainErrors:
 * bad configuration stops the boot, a failed decryption is an internal fault (500).
 */

/** `PII_ENCRYPTION_KEYS` / `PII_HMAC_KEY` (or the module options) are missing or malformed. */
export class PiiConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiConfigError';
  }
}

/**
 * Why a token could not be decrypted:
 * - `malformed`: not a `v2.<kid>.<iv>.<ct>.<tag>` (or older `v1.`) token (wrong shape, bad base64url, bad sizes);
 * - `unknown_key`: the token names a key id that is not configured;
 * - `authentication_failed`: the GCM tag does not verify (tampered token, wrong key, relabelled kid, token of another column).
 */
export type PiiDecryptionFailure = 'malformed' | 'unknown_key' | 'authentication_failed';

export class PiiDecryptionError extends Error {
  constructor(readonly reason: PiiDecryptionFailure) {
    super(PiiDecryptionError.describe(reason));
    this.name = 'PiiDecryptionError';
  }

  private static describe(reason: PiiDecryptionFailure): string {
    switch (reason) {
      case 'malformed':
        return 'PII ciphertext is malformed';
      case 'unknown_key':
        return 'PII ciphertext names an encryption key id that is not configured';
      case 'authentication_failed':
        return 'PII ciphertext failed authentication (tampered or encrypted under another key)';
    }
  }
}
