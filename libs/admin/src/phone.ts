/**
 * The phone number of the `?phone=` filter in the canonical form the blind index was computed
 * over (`01012345678`), or null. Same rules as the certification lib's input normalizer
 * (separators, `+82`/`82` with or without the trunk 0, mobile prefixes only), so an operator can
 * paste the number in any usual spelling.
 */
export function normalizeMobileFilter(raw: string): string | null {
  const text = raw.trim();
  if (!/^\+?[0-9 ().-]+$/.test(text)) return null;
  let digits = text.replace(/[ ().-]/g, '');
  const international = digits.startsWith('+');
  if (international) digits = digits.slice(1);
  if (digits.startsWith('82')) {
    digits = digits.slice(2);
    if (!digits.startsWith('0')) digits = `0${digits}`;
  } else if (international) {
    return null;
  }
  if (!/^01[016789]\d{7,8}$/.test(digits)) return null;
  if (digits.startsWith('010') && digits.length !== 11) return null;
  return digits;
}
