import {
  carrierRejects,
  deriveCi,
  deriveDi,
  digitsOnly,
  isKoreanMobile,
  parseBirth,
  parseBooleanish,
  parseGenderDigit,
  seoulToday,
  type Person,
} from './identity';

const TODAY = '2025-06-15';

function person(name: string, compact: string, genderDigit: number): Person {
  const parsed = parseBirth(compact, genderDigit, TODAY);
  if (!parsed.ok) throw new Error('bad fixture');
  return { name, birth: parsed.birth, genderDigit };
}

describe('identity derivation', () => {
  it('strips every non-digit', () => {
    expect(digitsOnly('+82 (10) 1234-5678.')).toBe('821012345678');
  });

  it.each([
    ['01012345678', true],
    ['0111234567', true],
    ['01912345678', true],
    ['0101234567', true],
    ['01212345678', false],
    ['021234567', false],
    ['010123456789', false],
    ['821012345678', false],
  ])('isKoreanMobile(%s) = %s', (digits, expected) => {
    expect(isKoreanMobile(digits)).toBe(expected);
  });

  it('the carrier rule refuses numbers ending in 0000 only', () => {
    expect(carrierRejects('01012340000')).toBe(true);
    expect(carrierRejects('01012340001')).toBe(false);
  });

  it.each([
    ['900101', 1, '1990-01-01'],
    ['000101', 3, '2000-01-01'],
    ['991231', 6, '1999-12-31'],
    ['19000101', 2, '1900-01-01'],
    ['20000229', 4, '2000-02-29'],
    ['19960229', 1, '1996-02-29'],
  ])('parseBirth(%s, %d) = %s', (digits, digit, iso) => {
    const parsed = parseBirth(digits, digit, TODAY);
    expect(parsed).toEqual({
      ok: true,
      birth: expect.objectContaining({ iso, compact: iso.replace(/-/g, '') }),
    });
  });

  it.each([
    ['19000229', 1, 'invalid'],
    ['900431', 1, 'invalid'],
    ['900100', 1, 'invalid'],
    ['9001', 1, 'invalid'],
    ['20250616', 3, 'invalid'],
    ['19990101', 3, 'gender_mismatch'],
    ['20000101', 1, 'gender_mismatch'],
    ['900101', 9, 'invalid'],
  ])('parseBirth(%s, %d) fails: %s', (digits, digit, problem) => {
    expect(parseBirth(digits, digit, TODAY)).toEqual({ ok: false, problem });
  });

  it('today is counted in Asia/Seoul', () => {
    // 2025-06-15 16:00 UTC is 2025-06-16 01:00 in Seoul
    expect(seoulToday(Date.UTC(2025, 5, 15, 16))).toBe('2025-06-16');
    expect(seoulToday(Date.UTC(2025, 5, 15, 14))).toBe('2025-06-15');
  });

  it('legacy birth is unix seconds of midnight UTC, negative before 1970', () => {
    expect(person('a', '19700102', 1).birth.unixSeconds).toBe(86_400);
    expect(person('a', '19691231', 1).birth.unixSeconds).toBe(-86_400);
  });

  it('CI is 88 base64 characters, deterministic, and depends on every part of the person', () => {
    const ci = deriveCi(person('홍길동', '19900101', 1));
    expect(ci).toHaveLength(88);
    expect(deriveCi(person(' 홍길동 ', '900101', 1))).toBe(ci);
    expect(deriveCi(person('홍길순', '19900101', 1))).not.toBe(ci);
    expect(deriveCi(person('홍길동', '19900102', 1))).not.toBe(ci);
    expect(deriveCi(person('홍길동', '19900101', 5))).not.toBe(ci);
  });

  it('CI does not depend on the Unicode normalization form of the name', () => {
    const nfd = '홍길동'.normalize('NFD');
    expect(nfd).not.toBe('홍길동');
    expect(deriveCi(person(nfd, '19900101', 1))).toBe(deriveCi(person('홍길동', '19900101', 1)));
  });

  it('DI is 44 base64 characters, per CI and merchant', () => {
    const ci = deriveCi(person('홍길동', '19900101', 1));
    const di = deriveDi(ci, 'imp00000000');
    expect(di).toHaveLength(44);
    expect(deriveDi(ci, 'imp00000000')).toBe(di);
    expect(deriveDi(ci, 'imp00000001')).not.toBe(di);
    expect(deriveDi(deriveCi(person('홍길순', '19900101', 1)), 'imp00000000')).not.toBe(di);
  });

  it('parses gender digits and booleans as bodies carry them', () => {
    expect(parseGenderDigit('1')).toBe(1);
    expect(parseGenderDigit(8)).toBe(8);
    expect(parseGenderDigit(' 3 ')).toBe(3);
    expect(parseGenderDigit('9')).toBeNull();
    expect(parseGenderDigit(1.5)).toBeNull();
    expect(parseGenderDigit(true)).toBeNull();
    expect(parseBooleanish(undefined)).toBe(false);
    expect(parseBooleanish('true')).toBe(true);
    expect(parseBooleanish('0')).toBe(false);
    expect(parseBooleanish(true)).toBe(true);
    expect(parseBooleanish('yes')).toBeNull();
  });
});
