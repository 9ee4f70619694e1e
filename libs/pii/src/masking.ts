/** Masking for display, not for logs (masked values are still personal data in combination); counts code points. */

const MASK = '*';

/**
 * Keeps the first and the last character and masks everything between (spaces included, so
 * word lengths are not revealed); a two-character name keeps its first character, a single
 * character is fully masked. Leading/trailing whitespace is trimmed.
 *
 * `홍길동` -> `홍*동`, `홍길` -> `홍*`, `남궁길동` -> `남**동`, `John Smith` -> `J********h`, `김` -> `*`.
 */
export function maskName(name: string): string {
  const chars = Array.from(String(name ?? '').trim());
  if (chars.length === 0) return '';
  if (chars.length === 1) return MASK;
  if (chars.length === 2) return chars[0] + MASK;
  return chars[0] + MASK.repeat(chars.length - 2) + chars[chars.length - 1];
}

/**
 * A Korean phone number with the middle group masked, formatted with dashes:
 * `01012345678` -> `010-****-5678`, `0111234567` -> `011-***-4567` (separators in the input
 * are ignored). Anything that is not 10 or 11 digits starting with 0 keeps only its last four
 * digits (`******5678`), or is fully masked (`****`) when shorter than 8 digits.
 */
export function maskPhone(phone: string): string {
  const digits = String(phone ?? '').replace(/\D/g, '');
  if (/^0\d{9,10}$/.test(digits)) {
    return `${digits.slice(0, 3)}-${MASK.repeat(digits.length - 7)}-${digits.slice(-4)}`;
  }
  if (digits.length >= 8) return MASK.repeat(digits.length - 4) + digits.slice(-4);
  return MASK.repeat(4);
}

/**
 * A CI (or DI): the first 4 characters followed by `…`, enough for an operator to tell two
 * records apart at a glance (4 base64 characters are 24 bits of an 88-character value) and
 * useless to anyone else. Values of 8 characters or fewer (not real CIs) are fully hidden: `…`.
 */
export function maskCi(ci: string): string {
  const chars = Array.from(String(ci ?? '').trim());
  if (chars.length <= 8) return '…';
  return chars.slice(0, 4).join('') + '…';
}

/** `1990-01-02` (or `19900102`) -> `1990-**-**`; anything else -> `****-**-**`. */
export function maskBirthday(birthday: string): string {
  const match = /^(\d{4})-?\d{2}-?\d{2}$/.exec(String(birthday ?? '').trim());
  return match ? `${match[1]}-**-**` : '****-**-**';
}
