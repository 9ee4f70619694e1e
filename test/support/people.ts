/** Test people: form fields as the api takes them, fresh phone numbers, birth-date arithmetic. */
export interface Person {
  name: string;
  phone: string;
  birth: string;
  gender_digit: string;
  carrier: 'SKT' | 'KT' | 'LGT';
}

let phoneSeq = 0;
const phoneBase = Math.floor(Math.random() * 90000000);
/** A fresh mobile number per call (never ending in 0000, which the sandbox's carrier refuses). */
export function freshPhone(): string {
  phoneSeq += 1;
  const n = (phoneBase + phoneSeq * 104729) % 90000000;
  const digits = String(10000000 + n).slice(-8);
  return `010${digits.endsWith('0000') ? digits.slice(0, 4) + '1234' : digits}`;
}

/** `YYYY-MM-DD` shifted by whole years (29 February in a common year -> null). */
export function shiftYears(iso: string, years: number): string | null {
  const [y, m, d] = iso.split('-').map(Number);
  const year = y + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (m === 2 && d === 29 && !leap) return null;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` plus `days` (calendar arithmetic in UTC, no time zone involved). */
export function addDays(iso: string, days: number): string {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** A gender digit for a birth year: 1/3 (male) or 2/4 (female) by century. */
export function genderDigitFor(iso: string, female = false): string {
  const modern = Number(iso.slice(0, 4)) >= 2000;
  return String((modern ? 3 : 1) + (female ? 1 : 0));
}

/** Birth as the form sends it: YYYYMMDD. */
export function birthOf(iso: string): string {
  return iso.replace(/-/g, '');
}
