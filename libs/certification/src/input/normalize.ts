/**
 * Normalization of the personal data a person types into the OTP request form, before it is
 * validated, sent upstream or indexed. Pure functions: `null` (or `{ ok: false }`) means "not
 * acceptable"; none of them throws on bad user input, and none echoes the input in a reason.
 *
 * Values are typed `unknown` on purpose: they come from request bodies.
 */

export type Carrier = 'SKT' | 'KT' | 'LGT';
export const CARRIERS: readonly Carrier[] = Object.freeze(['SKT', 'KT', 'LGT'] as Carrier[]);

/**
 * A Korean mobile number as 10 or 11 digits (`01012345678`), or `null`.
 *
 * Accepted: digits with spaces, `-`, `.` and parentheses as separators, and an optional
 * `+82` / `82` country code, with or without the trunk `0` after it (`+82 10-1234-5678`,
 * `+82 (0)10 1234 5678`, `821012345678`). The result must be a mobile prefix 010/011/016/017/
 * 018/019 followed by 7 or 8 digits, and a 010 number must have 11 digits in all.
 * Anything else (letters, other symbols, `00 82`, a `+` elsewhere, a landline) is rejected.
 */
export function normalizePhone(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (!/^\+?[0-9 ().-]+$/.test(text)) return null;
  let digits = text.replace(/[ ().-]/g, '');
  const international = digits.startsWith('+');
  if (international) digits = digits.slice(1);
  if (digits.startsWith('82')) {
    digits = digits.slice(2);
    if (!digits.startsWith('0')) digits = `0${digits}`;
  } else if (international) {
    return null; // another country
  }
  if (!/^01[016789]\d{7,8}$/.test(digits)) return null;
  if (digits.startsWith('010') && digits.length !== 11) return null;
  return digits;
}

/** A gender digit (the 7th digit of the resident registration number), `'1'`..`'8'`, or `null`. */
export function normalizeGenderDigit(raw: unknown): string | null {
  if (typeof raw === 'number') {
    return Number.isInteger(raw) && raw >= 1 && raw <= 8 ? String(raw) : null;
  }
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  return /^[1-8]$/.test(text) ? text : null;
}

/**
 * The century a gender digit stands for: 1, 2, 5, 6 -> 1900s; 3, 4, 7, 8 -> 2000s
 * (5-8 are foreign residents). 9 and 0 (1800s) are out of scope: `null`.
 */
export function centuryOfGenderDigit(genderDigit: unknown): 1900 | 2000 | null {
  const digit = normalizeGenderDigit(genderDigit);
  if (digit === null) return null;
  return '1256'.includes(digit) ? 1900 : 2000;
}

export type BirthFailure =
  /** not 6 or 8 digits with optional separators */
  | 'format'
  /** the gender digit is not 1-8, so the century is unknown */
  | 'invalid_gender_digit'
  /** not a real calendar date (2023-02-29, month 13, ...) */
  | 'invalid_date'
  /** today or later in Asia/Seoul */
  | 'future'
  /** a YYYYMMDD year outside the century of the gender digit */
  | 'century_mismatch';

export type NormalizedBirth =
  | {
      ok: true;
      /** `19900101` */
      yyyymmdd: string;
      /** `900101` (what the upstream OTP request takes) */
      yymmdd: string;
      /** `1990-01-01` */
      iso: string;
    }
  | { ok: false; reason: BirthFailure };

const TODAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

/**
 * A birth date as typed, checked against the gender digit and today's date.
 *
 * - Form: `YYYYMMDD` or `YYMMDD`, with optional `-`, `.`, `/` or space separators anywhere
 *   (`1990-01-01`, `90.01.01`, `900101`); surrounding whitespace is trimmed.
 * - `YYMMDD` takes its century from the gender digit; `YYYYMMDD` must agree with it
 *   (`century_mismatch` otherwise).
 * - It must be a real date and strictly before `today` (`YYYY-MM-DD`, the date in
 *   Asia/Seoul: see `todayInSeoul` of `@app/age-policy`); born today or later is `future`.
 *
 * Checks run in this order: format, gender digit, real date, century, future.
 * A malformed `today` is a programming error and throws a `TypeError`.
 */
export function normalizeBirth(raw: unknown, genderDigit: unknown, today: string): NormalizedBirth {
  const todayMatch = typeof today === 'string' ? TODAY.exec(today) : null;
  if (todayMatch === null || !isRealDate(Number(todayMatch[1]), Number(todayMatch[2]), Number(todayMatch[3]))) {
    throw new TypeError('today must be a real date in YYYY-MM-DD format');
  }
  if (typeof raw !== 'string') return { ok: false, reason: 'format' };
  const text = raw.trim();
  if (!/^[0-9./ -]+$/.test(text)) return { ok: false, reason: 'format' };
  const digits = text.replace(/[./ -]/g, '');
  if (digits.length !== 6 && digits.length !== 8) return { ok: false, reason: 'format' };

  const century = centuryOfGenderDigit(genderDigit);
  if (century === null) return { ok: false, reason: 'invalid_gender_digit' };

  const yyyymmdd = digits.length === 8 ? digits : `${century / 100}${digits}`;
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (!isRealDate(year, month, day)) return { ok: false, reason: 'invalid_date' };
  if (year < century || year >= century + 100) return { ok: false, reason: 'century_mismatch' };

  const iso = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
  if (iso >= today) return { ok: false, reason: 'future' };
  return { ok: true, yyyymmdd, yymmdd: yyyymmdd.slice(2), iso };
}

/** `'SKT'`, `'KT'` or `'LGT'` (case-insensitive, trimmed), else `null`. MVNOs use `is_mvno`. */
export function normalizeCarrier(raw: unknown): Carrier | null {
  if (typeof raw !== 'string') return null;
  const text = raw.trim().toUpperCase();
  return (CARRIERS as readonly string[]).includes(text) ? (text as Carrier) : null;
}

/** Exactly 6 ASCII digits after trimming, else `null` (inner characters are not stripped). */
export function normalizeOtp(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  return /^[0-9]{6}$/.test(text) ? text : null;
}

/** Middle dots people put between the parts of a foreign name: `·` (U+00B7), `ㆍ` (U+318D), `・` (U+30FB). */
const MIDDLE_DOTS = new Set(['\u00B7', '\u318D', '\u30FB']);
const HANGUL_SYLLABLE = /^[\uAC00-\uD7A3]$/;
/** A letter of the Latin script (accents included), not a fullwidth form, number or symbol. */
const LATIN_LETTER = /^(?=\p{L})\p{Script=Latin}$/u;
const FULLWIDTH = /^[\uFF00-\uFFEF]$/;

/**
 * A person's name, normalized: Unicode NFC (macOS keyboards send decomposed jamo), trimmed,
 * runs of spaces collapsed to one; `null` unless it is 1-50 characters of Hangul syllables,
 * Latin letters (accents allowed), spaces and middle dots, with at least one letter.
 * Rejected: digits, punctuation (`-`, `'`, `.`), control characters, lone jamo (a half-typed
 * syllable), Hanja, fullwidth forms, emoji, and whitespace other than spaces inside the name.
 */
export function normalizeName(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.normalize('NFC').trim().replace(/ {2,}/g, ' ');
  const chars = Array.from(text);
  if (chars.length < 1 || chars.length > 50) return null;
  let letters = 0;
  for (const c of chars) {
    if (HANGUL_SYLLABLE.test(c) || (LATIN_LETTER.test(c) && !FULLWIDTH.test(c))) letters++;
    else if (c !== ' ' && !MIDDLE_DOTS.has(c)) return null;
  }
  return letters > 0 ? text : null;
}

/** Whether `raw` is an acceptable name (see `normalizeName`). */
export function isValidName(raw: unknown): boolean {
  return normalizeName(raw) !== null;
}

const IMP_UID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `raw` has the form of an imp_uid (1-64 letters, digits, `_`, `-`): anything else is unknown here. */
export function isImpUid(raw: unknown): raw is string {
  return typeof raw === 'string' && IMP_UID.test(raw);
}
