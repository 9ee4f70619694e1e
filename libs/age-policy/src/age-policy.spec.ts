import fc from 'fast-check';
import { AGE_MODES, AgePolicy, ageOf, calendarYearAge, evaluate, internationalAge, latestEligibleBirthday, todayInSeoul, type AgeMode } from './age-policy';

describe('todayInSeoul', () => {
  it.each([
    ['2026-03-14T14:59:59.999Z', '2026-03-14'], // 23:59:59.999 in Seoul
    ['2026-03-14T15:00:00.000Z', '2026-03-15'], // midnight in Seoul, still the 14th in UTC
    ['2026-03-14T15:30:00Z', '2026-03-15'],
    ['2026-03-15T00:00:00Z', '2026-03-15'],
    ['2025-12-31T14:59:59Z', '2025-12-31'],
    ['2025-12-31T15:00:00Z', '2026-01-01'],
    ['2028-02-28T15:00:00Z', '2028-02-29'],
    ['2026-02-28T15:00:00Z', '2026-03-01'],
    ['1988-05-08T14:30:00Z', '1988-05-09'], // Korea observed summer time (UTC+10) in 1988
  ])('%s -> %s', (iso, expected) => {
    expect(todayInSeoul(new Date(iso))).toBe(expected);
  });

  it('does not depend on the process time zone', () => {
    const saved = process.env.TZ;
    const instant = new Date('2026-03-14T15:30:00Z');
    try {
      for (const tz of ['UTC', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Asia/Seoul']) {
        process.env.TZ = tz;
        expect(todayInSeoul(instant)).toBe('2026-03-15');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('defaults to now', () => {
    const before = todayInSeoul(new Date());
    const value = todayInSeoul();
    const after = todayInSeoul(new Date());
    expect([before, after]).toContain(value);
  });

  it.each([new Date('nope'), '2026-03-14' as unknown as Date, 0 as unknown as Date, null as unknown as Date])(
    'rejects %p with a TypeError',
    (now) => {
      expect(() => todayInSeoul(now)).toThrow(TypeError);
    },
  );
});

describe('internationalAge (만 나이)', () => {
  it.each([
    ['2000-01-01', '2000-01-01', 0],
    ['2000-06-15', '2001-06-14', 0],
    ['2000-06-15', '2001-06-15', 1],
    ['2000-06-15', '2026-06-14', 25],
    ['2000-06-15', '2026-06-15', 26],
    ['2000-12-31', '2026-01-01', 25],
    ['1990-01-01', '2026-12-31', 36],
    // 29 February birthdays: in common years the new age begins on 1 March
    ['2008-02-29', '2026-02-28', 17],
    ['2008-02-29', '2026-03-01', 18],
    ['2008-02-29', '2028-02-28', 19],
    ['2008-02-29', '2028-02-29', 20],
    ['2008-02-29', '2028-03-01', 20],
    ['2000-02-29', '2000-02-29', 0],
    ['2000-02-29', '2001-02-28', 0],
    ['2000-02-29', '2001-03-01', 1],
    ['2000-02-29', '2100-02-28', 99], // 2100 is not a leap year
    ['2000-02-29', '2100-03-01', 100],
    // neighbours of 29 February are ordinary
    ['2000-02-28', '2001-02-28', 1],
    ['2000-03-01', '2001-02-28', 0],
    ['2000-03-01', '2001-03-01', 1],
  ])('born %s, on %s -> %i', (birthday, today, age) => {
    expect(internationalAge(birthday, today)).toBe(age);
  });
});

describe('calendarYearAge (연 나이)', () => {
  it.each([
    ['2013-01-01', '2026-12-31', 13],
    ['2013-12-31', '2026-01-01', 13],
    ['2013-12-31', '2027-01-01', 14],
    ['2012-12-31', '2026-12-31', 14],
    ['2026-01-01', '2026-12-31', 0],
    ['2008-02-29', '2026-02-28', 18],
  ])('born %s, on %s -> %i', (birthday, today, age) => {
    expect(calendarYearAge(birthday, today)).toBe(age);
  });
});

describe('ageOf', () => {
  it('dispatches on the mode', () => {
    expect(ageOf('2012-12-31', 'international', '2026-06-01')).toBe(13);
    expect(ageOf('2012-12-31', 'calendar-year', '2026-06-01')).toBe(14);
  });

  it('rejects an unknown mode', () => {
    expect(() => ageOf('2000-01-01', 'korean' as AgeMode, '2026-01-01')).toThrow(TypeError);
  });
});

describe('input validation', () => {
  const bad = [
    '2023-02-29', // not a leap year
    '1900-02-29', // not a leap year (century)
    '2024-02-30',
    '2024-04-31',
    '2024-13-01',
    '2024-00-10',
    '2024-01-00',
    '0000-01-01',
    '2024-1-1',
    '20240101',
    '24-01-01',
    '2024/01/01',
    ' 2024-01-01',
    '2024-01-01 ',
    '2024-01-01T00:00:00Z',
    '２０２４-01-01',
    '',
  ];

  it.each(bad)('birthday %j -> TypeError without echoing it', (birthday) => {
    expect(() => internationalAge(birthday, '2026-01-01')).toThrow(TypeError);
    expect(() => calendarYearAge(birthday, '2026-01-01')).toThrow(TypeError);
    try {
      internationalAge(birthday, '2026-01-01');
    } catch (e) {
      if (birthday.length > 0) expect((e as Error).message).not.toContain(birthday.trim());
    }
  });

  it.each(bad)('today %j -> TypeError', (today) => {
    expect(() => internationalAge('2000-01-01', today)).toThrow(TypeError);
  });

  it.each([undefined, null, 20000101, new Date('2000-01-01')])('non-string %p -> TypeError', (value) => {
    expect(() => internationalAge(value as unknown as string, '2026-01-01')).toThrow(TypeError);
  });

  it('accepts 2024-02-29 and 2000-02-29 (leap years)', () => {
    expect(internationalAge('2024-02-29', '2026-01-01')).toBe(1);
    expect(internationalAge('2000-02-29', '2026-01-01')).toBe(25);
  });

  it('rejects a birthday after today with a RangeError', () => {
    expect(() => internationalAge('2026-01-02', '2026-01-01')).toThrow(RangeError);
    expect(() => calendarYearAge('2027-01-01', '2026-12-31')).toThrow(RangeError);
    expect(() => internationalAge('2026-01-02', '2026-01-01')).toThrow(/birthday must not be after today/);
  });
});

describe('evaluate', () => {
  const seoul = (localDateTime: string) => new Date(`${localDateTime}+09:00`);

  it('returns the full evaluation', () => {
    expect(evaluate({ birthday: '2012-03-15', minAge: 14, mode: 'international', now: new Date('2026-03-14T15:30:00Z') })).toEqual({
      allowed: true,
      age: 14,
      minAge: 14,
      mode: 'international',
      today: '2026-03-15',
    });
  });

  describe('birthday today vs tomorrow in Asia/Seoul', () => {
    const input = { birthday: '2012-03-15', minAge: 14, mode: 'international' as const };

    it('00:30 in Seoul on the 14th birthday (still the 14th in UTC): allowed', () => {
      const result = evaluate({ ...input, now: new Date('2026-03-14T15:30:00Z') });
      expect(result).toMatchObject({ allowed: true, age: 14, today: '2026-03-15' });
    });

    it('the first instant of the birthday in Seoul: allowed', () => {
      expect(evaluate({ ...input, now: new Date('2026-03-14T15:00:00Z') }).allowed).toBe(true);
    });

    it('the last millisecond before the birthday in Seoul: refused', () => {
      const result = evaluate({ ...input, now: new Date('2026-03-14T14:59:59.999Z') });
      expect(result).toMatchObject({ allowed: false, age: 13, today: '2026-03-14' });
    });

    it('noon UTC the day before the birthday (21:00 in Seoul): refused', () => {
      expect(evaluate({ ...input, now: new Date('2026-03-14T12:00:00Z') }).allowed).toBe(false);
    });
  });

  describe('min age exactly reached vs one day short', () => {
    it.each([
      ['international', '2012-06-10', '2026-06-10T00:00:00', true, 14],
      ['international', '2012-06-10', '2026-06-09T23:59:59', false, 13],
      ['calendar-year', '2012-12-31', '2026-01-01T00:00:00', true, 14],
      ['calendar-year', '2012-12-31', '2025-12-31T23:59:59', false, 13],
      ['calendar-year', '2012-01-01', '2026-01-01T00:00:00', true, 14],
      ['calendar-year', '2012-01-01', '2025-12-31T23:59:59', false, 13],
    ] as const)('%s, born %s, at %s Seoul -> allowed=%s (age %i)', (mode, birthday, local, allowed, age) => {
      expect(evaluate({ birthday, minAge: 14, mode, now: seoul(local) })).toMatchObject({ allowed, age });
    });
  });

  describe('the year turn for calendar-year age, in Seoul', () => {
    const input = { birthday: '2013-07-01', minAge: 14, mode: 'calendar-year' as const };

    it('31 December 23:59 in Seoul: 13, refused', () => {
      expect(evaluate({ ...input, now: new Date('2026-12-31T14:59:00Z') })).toMatchObject({ allowed: false, age: 13, today: '2026-12-31' });
    });

    it('1 January 00:00 in Seoul (31 December in UTC): 14, allowed', () => {
      expect(evaluate({ ...input, now: new Date('2026-12-31T15:00:00Z') })).toMatchObject({ allowed: true, age: 14, today: '2027-01-01' });
    });

    it('international age ignores the year turn', () => {
      expect(evaluate({ ...input, mode: 'international', now: new Date('2026-12-31T15:00:00Z') })).toMatchObject({ allowed: false, age: 13 });
    });
  });

  describe('29 February birthdays', () => {
    const input = { birthday: '2008-02-29', minAge: 18, mode: 'international' as const };

    it('common year, 28 February 23:59:59 in Seoul: not yet 18', () => {
      expect(evaluate({ ...input, now: new Date('2026-02-28T14:59:59Z') })).toMatchObject({ allowed: false, age: 17 });
    });

    it('common year, 1 March 00:00 in Seoul (28 February in UTC): 18', () => {
      expect(evaluate({ ...input, now: new Date('2026-02-28T15:00:00Z') })).toMatchObject({ allowed: true, age: 18, today: '2026-03-01' });
    });

    it('leap year, 29 February in Seoul: older', () => {
      const result = evaluate({ birthday: '2008-02-29', minAge: 20, mode: 'international', now: new Date('2028-02-28T15:00:00Z') });
      expect(result).toMatchObject({ allowed: true, age: 20, today: '2028-02-29' });
      expect(evaluate({ birthday: '2008-02-29', minAge: 20, mode: 'international', now: new Date('2028-02-28T14:59:59Z') }).allowed).toBe(false);
    });
  });

  it('minAge 0 allows a newborn', () => {
    expect(evaluate({ birthday: '2026-03-15', minAge: 0, mode: 'international', now: new Date('2026-03-14T15:00:00Z') }).allowed).toBe(true);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '14', null])('rejects minAge %p', (minAge) => {
    expect(() => evaluate({ birthday: '2000-01-01', minAge: minAge as number, mode: 'international' })).toThrow(TypeError);
  });

  it.each(['', 'International', 'korean', undefined])('rejects mode %p', (mode) => {
    expect(() => evaluate({ birthday: '2000-01-01', minAge: 14, mode: mode as AgeMode })).toThrow(TypeError);
  });

  it('rejects a bad birthday and a bad now', () => {
    expect(() => evaluate({ birthday: '2023-02-29', minAge: 14, mode: 'international' })).toThrow(TypeError);
    expect(() => evaluate({ birthday: '2000-01-01', minAge: 14, mode: 'international', now: new Date(Number.NaN) })).toThrow(TypeError);
  });

  it('uses now when no instant is given', () => {
    expect(evaluate({ birthday: '1950-01-01', minAge: 14, mode: 'international' })).toMatchObject({ allowed: true, today: todayInSeoul() });
  });

  it('is exposed on the AgePolicy object', () => {
    expect(AgePolicy.evaluate).toBe(evaluate);
    expect(AgePolicy.internationalAge('2000-02-29', '2001-03-01')).toBe(1);
    expect(AGE_MODES).toEqual(['international', 'calendar-year']);
  });
});

describe('properties', () => {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const iso = (d: Date) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const dateArb = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }).map(iso);
  const pair = fc.tuple(dateArb, dateArb).map(([a, b]): [string, string] => (a <= b ? [a, b] : [b, a]));

  /** Oracle: the largest n such that the n-th anniversary (29 Feb -> 1 Mar in common years) is <= today. */
  function oracleAge(birthday: string, today: string): number {
    const [by, bm, bd] = birthday.split('-').map(Number);
    let n = 0;
    for (;;) {
      const y = by + n + 1;
      const anniversary = new Date(Date.UTC(y, bm - 1, bd)); // Date.UTC rolls 29 Feb over to 1 Mar
      if (iso(anniversary) > today) return n;
      n++;
    }
  }

  it('international age matches an independent anniversary count', () => {
    fc.assert(
      fc.property(pair, ([birthday, today]) => {
        expect(internationalAge(birthday, today)).toBe(oracleAge(birthday, today));
      }),
      { numRuns: 2000 },
    );
  });

  it('calendar-year age is the international age or one more', () => {
    fc.assert(
      fc.property(pair, ([birthday, today]) => {
        const diff = calendarYearAge(birthday, today) - internationalAge(birthday, today);
        expect([0, 1]).toContain(diff);
      }),
    );
  });

  it('latestEligibleBirthday: birthday <= cutoff exactly when the age reaches the minimum', () => {
    fc.assert(
      fc.property(pair, fc.integer({ min: 0, max: 120 }), fc.constantFrom(...AGE_MODES), ([birthday, today], minAge, mode) => {
        const cutoff = latestEligibleBirthday(minAge, mode, today);
        const allowed = ageOf(birthday, mode, today) >= minAge;
        expect(cutoff !== null && birthday <= cutoff).toBe(allowed);
      }),
      { numRuns: 5000 },
    );
  });

  it('latestEligibleBirthday agrees with ageOf on every day around 29 February and the year turn', () => {
    // Every birthday of four years against every "today" of a leap-year February-March and a
    // New Year, for minimum ages 0, 1, 4 and 19 in both modes.
    const days = (from: string, count: number) =>
      Array.from({ length: count }, (_, i) => iso(new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000)));
    const birthdays = days('2003-01-01', 4 * 366 + 1);
    const todays = [...days('2024-02-20', 14), ...days('2025-02-25', 7), ...days('2023-12-29', 5)];
    for (const mode of AGE_MODES) {
      for (const minAge of [0, 1, 4, 19]) {
        for (const today of todays) {
          const cutoff = latestEligibleBirthday(minAge, mode, today);
          for (const birthday of birthdays) {
            if (birthday > today) continue;
            const allowed = ageOf(birthday, mode, today) >= minAge;
            if ((cutoff !== null && birthday <= cutoff) !== allowed) {
              throw new Error(`mismatch: ${mode} min ${minAge} today ${today} birthday ${birthday} cutoff ${cutoff}`);
            }
          }
        }
      }
    }
    expect(latestEligibleBirthday(19, 'international', '2024-02-29')).toBe('2005-02-28');
    expect(latestEligibleBirthday(20, 'international', '2024-02-29')).toBe('2004-02-29');
    expect(latestEligibleBirthday(19, 'calendar-year', '2024-02-29')).toBe('2005-12-31');
    expect(latestEligibleBirthday(2025, 'international', '2024-02-29')).toBeNull();
    expect(() => latestEligibleBirthday(-1, 'international', '2024-02-29')).toThrow(TypeError);
    expect(() => latestEligibleBirthday(1, 'lunar' as AgeMode, '2024-02-29')).toThrow(TypeError);
    expect(() => latestEligibleBirthday(1, 'international', '2024-02-30')).toThrow(TypeError);
  });

  it('todayInSeoul answers the same from its cache as computed afresh, minute by minute across a date change', () => {
    const start = Date.parse('2026-03-14T13:00:00Z');
    for (let minute = 0; minute < 180; minute++) {
      const now = new Date(start + minute * 60_000 + 59_999);
      expect(todayInSeoul(now)).toBe(iso(new Date(now.getTime() + 9 * 3600 * 1000)));
    }
    // back in time after a later instant: no stale answer
    expect(todayInSeoul(new Date('2026-03-14T14:59:59.999Z'))).toBe('2026-03-14');
    expect(todayInSeoul(new Date('1988-05-08T14:30:00Z'))).toBe('1988-05-09');
  });

  it('todayInSeoul is the UTC date 9 hours later (Korea has kept UTC+9 since 1989)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (now) => {
        expect(todayInSeoul(now)).toBe(iso(new Date(now.getTime() + 9 * 3600 * 1000)));
      }),
      { numRuns: 2000 },
    );
  });
});
