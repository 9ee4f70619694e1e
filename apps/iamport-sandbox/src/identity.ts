import { createHmac } from 'node:crypto';

/**
 * Identity derivation and input normalization, as pure functions. CI depends on the person only
 * (same person, same CI on any phone, as a real CI); DI on the CI and the merchant.
 */

/** Fixed secret of the sandbox's CI derivation. Not a real secret: sandbox CIs are fake by design. */
const SANDBOX_CI_SECRET = 'iamport-sandbox/ci/v1';

export type Carrier = 'SKT' | 'KT' | 'LGT';
export const CARRIERS: readonly Carrier[] = ['SKT', 'KT', 'LGT'];

export interface BirthDate {
  year: number;
  month: number;
  day: number;
  /** YYYYMMDD */
  compact: string;
  /** YYYY-MM-DD, the upstream's `birthday` */
  iso: string;
  /** unix seconds of the birthday at 00:00 UTC, the upstream's legacy `birth` */
  unixSeconds: number;
}

export interface Person {
  name: string;
  birth: BirthDate;
  genderDigit: number;
}

export type BirthProblem = 'invalid' | 'gender_mismatch';

/** The upstream strips every non-digit from phone and birth. */
export function digitsOnly(value: string): string {
  return value.replace(/\D+/g, '');
}

/** A Korean mobile number: 01X (X in 0,1,6,7,8,9), 10 or 11 digits in all. */
export function isKoreanMobile(digits: string): boolean {
  return /^01[016789]\d{7,8}$/.test(digits);
}

/** The sandbox's documented carrier rule: a phone number ending in 0000 is refused. */
export function carrierRejects(phoneDigits: string): boolean {
  return phoneDigits.endsWith('0000');
}

/** 1,2,5,6: born 1900-1999; 3,4,7,8: born 2000-2099. Other digits are not accepted. */
export function centuryOf(genderDigit: number): 1900 | 2000 | null {
  if ([1, 2, 5, 6].includes(genderDigit)) return 1900;
  if ([3, 4, 7, 8].includes(genderDigit)) return 2000;
  return null;
}

export function genderOf(genderDigit: number): 'male' | 'female' {
  return genderDigit % 2 === 1 ? 'male' : 'female';
}

/** 5-8 are the digits of registered foreigners. */
export function isForeigner(genderDigit: number): boolean {
  return genderDigit >= 5 && genderDigit <= 8;
}

export function parseGenderDigit(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : null;
  if (text === null || !/^[1-8]$/.test(text)) return null;
  return Number(text);
}

/** YYYY-MM-DD of "today" in Asia/Seoul (UTC+9, no daylight saving) for a given instant. */
export function seoulToday(nowMs: number): string {
  return new Date(nowMs + 9 * 3600 * 1000).toISOString().slice(0, 10);
}

/**
 * Parses a birth date given as digits, YYMMDD (century from the gender digit, as upstream) or
 * YYYYMMDD (whose century must agree with the gender digit). The date must exist and not be in
 * the future (Asia/Seoul).
 */
export function parseBirth(
  digits: string,
  genderDigit: number,
  todayIso: string,
): { ok: true; birth: BirthDate } | { ok: false; problem: BirthProblem } {
  const century = centuryOf(genderDigit);
  if (century === null) return { ok: false, problem: 'invalid' };
  let year: number;
  let rest: string;
  if (digits.length === 6) {
    year = century + Number(digits.slice(0, 2));
    rest = digits.slice(2);
  } else if (digits.length === 8) {
    year = Number(digits.slice(0, 4));
    rest = digits.slice(4);
  } else {
    return { ok: false, problem: 'invalid' };
  }
  const month = Number(rest.slice(0, 2));
  const day = Number(rest.slice(2, 4));
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day
  ) {
    return { ok: false, problem: 'invalid' };
  }
  if (year < century || year > century + 99) return { ok: false, problem: 'gender_mismatch' };
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const iso = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  if (iso > todayIso) return { ok: false, problem: 'invalid' };
  return {
    ok: true,
    birth: { year, month, day, compact: iso.replace(/-/g, ''), iso, unixSeconds: Math.floor(ms / 1000) },
  };
}

export function normalizeName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** CI: base64 of HMAC-SHA512 over the person, 88 characters. */
export function deriveCi(person: Person): string {
  return createHmac('sha512', SANDBOX_CI_SECRET)
    .update(`${normalizeName(person.name)}\n${person.birth.compact}\n${person.genderDigit}`)
    .digest('base64');
}

/** DI: base64 of HMAC-SHA256 keyed by the CI over the merchant id, 44 characters. */
export function deriveDi(ci: string, merchantId: string): string {
  return createHmac('sha256', ci).update(merchantId).digest('base64');
}

export function carrierCode(carrier: Carrier, isMvno: boolean): string {
  return isMvno ? `${carrier}_MVNO` : carrier;
}

/** Booleans as JSON or form bodies carry them. Returns null when the value is not a boolean. */
export function parseBooleanish(value: unknown): boolean | null {
  if (value === undefined || value === null || value === '') return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
  }
  return null;
}
