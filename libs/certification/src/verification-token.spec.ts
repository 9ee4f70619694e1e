import { createHash } from 'node:crypto';
import { generateVerificationToken, hashVerificationToken, isVerificationTokenFormat } from './verification-token';

describe('verification tokens', () => {
  it('are 32 random bytes in base64url, 43 characters, each one new', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => generateVerificationToken().token));
    expect(tokens.size).toBe(200);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(isVerificationTokenFormat(token)).toBe(true);
    }
  });

  it('are stored as the SHA-256 hex of the token, never the token', () => {
    const { token, hash } = generateVerificationToken();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hashVerificationToken(token)).toBe(hash);
    expect(hash).not.toContain(token);
  });

  it('hash a known vector', () => {
    expect(hashVerificationToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('recognise only the token form', () => {
    for (const bad of [undefined, null, 42, '', 'a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}+`, `${'a'.repeat(42)}/`]) {
      expect(isVerificationTokenFormat(bad)).toBe(false);
    }
    expect(() => hashVerificationToken(42 as unknown as string)).toThrow(TypeError);
  });
});
