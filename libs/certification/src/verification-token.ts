import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes in unpadded base64url: 43 characters. */
export const VERIFICATION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A new verification token: 32 random bytes, base64url (43 characters), shown once to the
 * verified person; only its SHA-256 (hex) is stored. A plain hash suffices (no HMAC, no salt):
 * the token has 256 bits of entropy, so its hash cannot be reversed by guessing.
 */
export function generateVerificationToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashVerificationToken(token) };
}

/** SHA-256 hex of a token, as stored in `verification_tokens.token_hash` (64 characters). */
export function hashVerificationToken(token: string): string {
  if (typeof token !== 'string') throw new TypeError('hashVerificationToken expects a string');
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether `value` has the form of a verification token (does not say it exists). */
export function isVerificationTokenFormat(value: unknown): value is string {
  return typeof value === 'string' && VERIFICATION_TOKEN_PATTERN.test(value);
}
