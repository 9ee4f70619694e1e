/**
 * Strict base64 helpers. Node's `Buffer.from(s, 'base64')` silently skips invalid characters
 * and ignores unused trailing bits, so "decodes without throwing" proves nothing; here a string
 * is accepted only if it is the canonical encoding of the bytes it decodes to.
 */

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64_ANY = /^[A-Za-z0-9+/_-]*={0,2}$/;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Canonical unpadded base64url (RFC 4648 §5) -> bytes, or null. */
export function decodeBase64UrlStrict(text: string): Buffer | null {
  if (!BASE64URL.test(text)) return null;
  const rest = text.length % 4;
  if (rest === 1) return null;
  // Canonical: the last character's unused low bits (4 or 2) are zero; cheaper than re-encoding.
  if (rest !== 0) {
    const last = ALPHABET.indexOf(text[text.length - 1]);
    if ((last & (rest === 2 ? 0b1111 : 0b11)) !== 0) return null;
  }
  return Buffer.from(text, 'base64url');
}

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * Standard base64 (or its URL-safe alphabet), padding optional -> bytes, or null.
 * Used for keys in environment variables, which people paste from `openssl rand -base64 32`.
 */
export function decodeBase64Lenient(text: string): Buffer | null {
  if (text.length === 0 || !BASE64_ANY.test(text)) return null;
  // One alphabet only: mixing '+/' with '-_' is a copy/paste accident, not a key.
  if (/[+/]/.test(text) && /[-_]/.test(text)) return null;
  const unpadded = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const padding = text.length - text.replace(/=+$/, '').length;
  if (padding > 0 && text.length % 4 !== 0) return null;
  return decodeBase64UrlStrict(unpadded);
}
