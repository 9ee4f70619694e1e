/**
 * Age policy, pure: dates are `YYYY-MM-DD`, "today" is the date in Asia/Seoul. `international`
 * (만 나이) counts full years (born 29 February: a new age on 1 March in common years, Civil Code
 * arts. 157-160); `calendar-year` (연 나이) is this year minus the birth year. Bad dates throw
 * (TypeError, RangeError for a future birthday) without the dates in the message: personal data.
 */

export type AgeMode = 'international' | 'calendar-year';
export const AGE_MODES: readonly AgeMode[] = Object.freeze(['international', 'calendar-year'] as AgeMode[]);

export interface EvaluateAgeInput {
  /** Verified birthday, `YYYY-MM-DD`. */
  birthday: string;
  /** Minimum age (inclusive), a non-negative integer. */
  minAge: number;
  mode: AgeMode;
  /** The instant to evaluate at; default now. Converted to the date in Asia/Seoul. */
  now?: Date;
}

export interface AgeEvaluation {
  allowed: boolean;
  age: number;
  minAge: number;
  mode: AgeMode;
  /** The date in Asia/Seoul the age was computed for, `YYYY-MM-DD`. */
  today: string;
}

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function parseDate(value: unknown, label: string): CalendarDate {
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (match === null) {
    throw new TypeError(`${label} must be a date string in YYYY-MM-DD format`);
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new TypeError(`${label} must be a real calendar date`);
  }
  return { year, month, day };
}

function parseBoth(birthday: string, today: string): [CalendarDate, CalendarDate] {
  const b = parseDate(birthday, 'birthday');
  const t = parseDate(today, 'today');
  if (compare(b, t) > 0) {
    throw new RangeError('birthday must not be after today');
  }
  return [b, t];
}

function compare(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

function assertMode(mode: unknown): asserts mode is AgeMode {
  if (!AGE_MODES.includes(mode as AgeMode)) {
    throw new TypeError(`age mode must be one of: ${AGE_MODES.join(', ')}`);
  }
}

function assertMinAge(minAge: unknown): asserts minAge is number {
  if (typeof minAge !== 'number' || !Number.isInteger(minAge) || minAge < 0) {
    throw new TypeError('minAge must be a non-negative integer');
  }
}

const seoulDateFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Seoul',
  calendar: 'gregory',
  numberingSystem: 'latn',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

const HOUR_MS = 3_600_000;
/** The last answer of todayInSeoul and the UTC hour it was computed for (see below). */
let lastSeoulDate: { hour: number; date: string } | null = null;

/** The date in Asia/Seoul at the instant `now`, `YYYY-MM-DD` (independent of the process's TZ). */
export function todayInSeoul(now: Date = new Date()): string {
  const time = now instanceof Date ? now.getTime() : Number.NaN;
  if (Number.isNaN(time)) {
    throw new TypeError('now must be a valid Date');
  }
  // Asia/Seoul's offsets (+09:00, and +10:00 in the summers of 1987-88) are whole hours, so
  // the date there changes only at a full UTC hour: the date of an instant is the date of its
  // UTC hour. Formatting costs ~5 µs (Intl), so the last hour's answer is kept.
  const hour = Math.floor(time / HOUR_MS);
  if (lastSeoulDate !== null && lastSeoulDate.hour === hour) return lastSeoulDate.date;
  const parts = seoulDateFormat.formatToParts(new Date(hour * HOUR_MS));
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  const date = `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
  lastSeoulDate = { hour, date };
  return date;
}

/**
 * 만 나이: full years from `birthday` to `today` (both `YYYY-MM-DD`). The age goes up on the
 * birthday itself; for a 29 February birthday, on 1 March in common years (see file comment).
 */
export function internationalAge(birthday: string, today: string): number {
  const [b, t] = parseBoth(birthday, today);
  const hadBirthdayThisYear = t.month > b.month || (t.month === b.month && t.day >= b.day);
  // With (month, day) compared as numbers, 02-29 is after 02-28 and before 03-01: in a common
  // year the person has not had the birthday on 28 February and has on 1 March.
  return t.year - b.year - (hadBirthdayThisYear ? 0 : 1);
}

/** 연 나이: the year of `today` minus the year of `birthday`. */
export function calendarYearAge(birthday: string, today: string): number {
  const [b, t] = parseBoth(birthday, today);
  return t.year - b.year;
}

export function ageOf(birthday: string, mode: AgeMode, today: string): number {
  assertMode(mode);
  return mode === 'international' ? internationalAge(birthday, today) : calendarYearAge(birthday, today);
}

/** Whether a person born on `birthday` is at least `minAge` at `now` (default: now) in Seoul. */
export function evaluate(input: EvaluateAgeInput): AgeEvaluation {
  if (input === null || typeof input !== 'object') throw new TypeError('evaluate expects an input object');
  const { birthday, minAge, mode, now } = input;
  assertMinAge(minAge);
  assertMode(mode);
  const today = todayInSeoul(now ?? new Date());
  const age = ageOf(birthday, mode, today);
  return { allowed: age >= minAge, age, minAge, mode, today };
}

/**
 * The latest birthday that satisfies `minAge` in `mode` on `today` (both `YYYY-MM-DD`): a
 * person born on `birthday <= today` is old enough exactly when `birthday <= cutoff` (dates
 * compare as strings). For a database filter (`WHERE birthday <= $cutoff`), so a statement can
 * apply the policy itself; `evaluate` stays the reference (the spec checks the two agree).
 * - calendar-year: born in the year `minAge` years before today's year, or earlier;
 * - international: born on today's month and day `minAge` years ago, or earlier; when that
 *   year has no such day (today is 29 February), on its last day of February (Civil Code, see
 *   the file comment: born 28 February, the new age begins on 28 February; born 1 March, on
 *   1 March).
 * Null when no birthday qualifies (a cutoff before the year 1).
 */
export function latestEligibleBirthday(minAge: number, mode: AgeMode, today: string): string | null {
  assertMinAge(minAge);
  assertMode(mode);
  const t = parseDate(today, 'today');
  const year = t.year - minAge;
  if (year < 1) return null;
  if (mode === 'calendar-year') return `${pad(year, 4)}-12-31`;
  const day = Math.min(t.day, daysInMonth(year, t.month));
  return `${pad(year, 4)}-${pad(t.month, 2)}-${pad(day, 2)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Validates a minimum age and mode, e.g. from configuration (throws `TypeError`). */
export function assertAgeRequirement(minAge: unknown, mode: unknown): void {
  assertMinAge(minAge);
  assertMode(mode);
}

/** The pure policy functions as one object: `AgePolicy.evaluate({...})`. */
export const AgePolicy = Object.freeze({
  todayInSeoul,
  internationalAge,
  calendarYearAge,
  ageOf,
  evaluate,
  latestEligibleBirthday,
});
