import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { decodeBase64UrlStrict, encodeBase64Url } from './base64';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The definition: canonical when re-encoding the decoded bytes gives the same text. */
function canonical(text: string): boolean {
  return Buffer.from(text, 'base64url').toString('base64url') === text;
}

describe('decodeBase64UrlStrict', () => {
  it('decodes what encodeBase64Url wrote, for every length from 0 to 64 bytes', () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = randomBytes(n);
      expect(decodeBase64UrlStrict(encodeBase64Url(bytes))).toEqual(bytes);
    }
  });

  it('accepts exactly the canonical encodings: every string of 1, 2 and 3 characters', () => {
    for (const a of ALPHABET) {
      expect(decodeBase64UrlStrict(a)).toBeNull();
      for (const b of ALPHABET) {
        expect(decodeBase64UrlStrict(a + b) !== null).toBe(canonical(a + b));
        for (const c of ALPHABET) {
          const text = a + b + c;
          if ((decodeBase64UrlStrict(text) !== null) !== canonical(text)) throw new Error(`disagrees on ${text}`);
        }
      }
    }
  });

  it('agrees with the definition on longer strings, and refuses characters outside base64url', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ALPHABET), { minLength: 4, maxLength: 40 }), (chars) => {
        const text = chars.join('');
        expect(decodeBase64UrlStrict(text) !== null).toBe(text.length % 4 !== 1 && canonical(text));
      }),
      { numRuns: 5000 },
    );
    for (const bad of ['ab=', 'a+bc', 'a/bc', 'ab c', 'ab\n', 'é']) expect(decodeBase64UrlStrict(bad)).toBeNull();
  });
});
