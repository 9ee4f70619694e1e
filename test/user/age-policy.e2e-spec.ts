/**
 * Age boundaries through the HTTP signup (the age policy of POST /users, applied by the signup statement, min age 14), in both
 * modes (AGE_POLICY_MODE): birthday today vs tomorrow in Asia/Seoul, a 29 February birthday in
 * a common year, and the year turn for the calendar-year age. "Today" is Seoul's date: the
 * last two move the process clock (Date only; timers stay real) to one second before and at
 * Seoul midnight, which the api, its age policy and the in-process sandbox all read.
 */
import { jest } from '@jest/globals';
import { todayInSeoul } from '@app/age-policy';
import { Flows } from '../support/flows';
import { addDays, birthOf, freshPhone, genderDigitFor, shiftYears, type Person } from '../support/people';

const NOT_DATE = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

/** Sets the process's Date to `iso` (and lets it run on from there); timers stay real. */
function clockAt(iso: string): void {
  jest.useFakeTimers({ now: new Date(iso), advanceTimers: true, doNotFake: [...NOT_DATE] });
}

function personBorn(iso: string, name: string): Person {
  return { name, phone: freshPhone(), birth: birthOf(iso), gender_digit: genderDigitFor(iso), carrier: 'SKT' };
}

afterEach(() => {
  jest.useRealTimers();
});

describe.each([['international'], ['calendar-year']] as const)('AGE_POLICY_MODE=%s, minimum 14', (mode) => {
  let f: Flows;
  beforeAll(async () => {
    f = await Flows.start({ env: { AGE_POLICY_MODE: mode, AGE_POLICY_MIN_AGE: '14' } });
  });
  afterAll(async () => {
    jest.useRealTimers();
    await f?.close();
  });

  it('admits a person whose 14th birthday is today in Seoul', async () => {
    const today = todayInSeoul();
    const born = shiftYears(today, -14) ?? shiftYears(addDays(today, -1), -14)!; // today 29 Feb: born 28 Feb
    const { view } = await f.verifyByOtp(personBorn(born, '오늘생'));
    expect(view.age).toBe(14);
    await f.signup(view.verification_token).expect(201);
  });

  it(mode === 'international' ? 'refuses a person whose 14th birthday is tomorrow (403 AGE_RESTRICTED)' : 'admits a person whose 14th birthday is tomorrow when it falls in this calendar year', async () => {
    const today = todayInSeoul();
    const born = shiftYears(addDays(today, 1), -14) ?? addDays(shiftYears(today, -14)!, 1); // tomorrow 29 Feb: born 1 March
    const { view } = await f.verifyByOtp(personBorn(born, '내일생'));
    expect(view.age).toBe(13); // the view always shows the international age
    const res = await f.signup(view.verification_token);
    const sameYear = born.slice(0, 4) === shiftYears(today, -14)!.slice(0, 4);
    if (mode === 'international' || !sameYear) {
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({ code: 'AGE_RESTRICTED', message: expect.any(String), details: { min_age: 14, policy: mode } });
      // a refusal does not use the token
      const [token] = await f.t.query<{ used: boolean }>(
        `SELECT t.used_at IS NOT NULL AS used FROM verification_tokens t JOIN certifications c ON c.id = t.certification_id WHERE c.imp_uid = $1`,
        [view.imp_uid],
      );
      expect(token.used).toBe(false);
    } else {
      expect(res.status).toBe(201);
    }
  });

  it('counts a 29 February birthday as reached on 1 March of a common year (international) / on 1 January (calendar-year)', async () => {
    // Seoul 2026-02-28 23:59:58 (a common year): born 2012-02-29 -> 13 international, 14 calendar-year
    clockAt('2026-02-28T14:59:58Z');
    expect(todayInSeoul()).toBe('2026-02-28');
    const { view } = await f.verifyByOtp(personBorn('2012-02-29', '윤일생'));
    const before = await f.signup(view.verification_token);
    if (mode === 'international') {
      expect(before.status).toBe(403);
      expect(before.body.error.code).toBe('AGE_RESTRICTED');
      // Seoul 2026-03-01 00:00:00: 14, the same token now signs up
      jest.setSystemTime(new Date('2026-02-28T15:00:00Z'));
      expect(todayInSeoul()).toBe('2026-03-01');
      await f.signup(view.verification_token).expect(201);
    } else {
      expect(before.status).toBe(201);
    }
  });

  it('turns everyone born in a year one year older on 1 January (calendar-year), not before their birthday (international)', async () => {
    // Seoul 2025-12-31 23:59:58: born 2012-12-31 is 13 either way (calendar: 2025 - 2012)
    clockAt('2025-12-31T14:59:58Z');
    expect(todayInSeoul()).toBe('2025-12-31');
    const { view } = await f.verifyByOtp(personBorn('2012-12-31', '연말생'));
    expect(view.age).toBe(13);
    const before = await f.signup(view.verification_token).expect(403);
    expect(before.body.error.details).toEqual({ min_age: 14, policy: mode });
    // Seoul 2026-01-01 00:00:00: calendar-year age 14; international age still 13
    jest.setSystemTime(new Date('2025-12-31T15:00:00Z'));
    expect(todayInSeoul()).toBe('2026-01-01');
    const after = await f.signup(view.verification_token);
    expect(after.status).toBe(mode === 'calendar-year' ? 201 : 403);
  });
});
