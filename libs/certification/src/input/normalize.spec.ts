import {
  CARRIERS,
  centuryOfGenderDigit,
  isImpUid,
  isValidName,
  normalizeBirth,
  normalizeCarrier,
  normalizeGenderDigit,
  normalizeName,
  normalizeOtp,
  normalizePhone,
  type BirthFailure,
} from './normalize';

describe('normalizePhone', () => {
  it.each([
    ['01012345678', '01012345678'],
    ['010-1234-5678', '01012345678'],
    ['010 1234 5678', '01012345678'],
    ['010.1234.5678', '01012345678'],
    ['(010) 1234-5678', '01012345678'],
    ['  010-1234-5678  ', '01012345678'],
    ['+82 10-1234-5678', '01012345678'],
    ['+821012345678', '01012345678'],
    ['+82-10-1234-5678', '01012345678'],
    ['+82 (0)10 1234 5678', '01012345678'],
    ['+82 010-1234-5678', '01012345678'],
    ['821012345678', '01012345678'],
    ['82 10 1234 5678', '01012345678'],
    ['0111234567', '0111234567'],
    ['011-123-4567', '0111234567'],
    ['01112345678', '01112345678'],
    ['016-123-4567', '0161234567'],
    ['017-1234-5678', '01712345678'],
    ['018 123 4567', '0181234567'],
    ['019-9999-0000', '01999990000'],
    ['+82 11-123-4567', '0111234567'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['010 with 10 digits', '0101234567'],
    ['010 with 12 digits', '010123456789'],
    ['011 with 9 digits', '011123456'],
    ['011 with 12 digits', '011123456789'],
    ['012 prefix', '01212345678'],
    ['013 prefix', '01312345678'],
    ['014 prefix', '01412345678'],
    ['015 prefix', '01512345678'],
    ['Seoul landline', '02-123-4567'],
    ['other landline', '031-123-4567'],
    ['070 internet phone', '070-1234-5678'],
    ['no leading zero', '1012345678'],
    ['letters', '010-1234-567O'],
    ['slash', '010/1234/5678'],
    ['comma', '010,1234,5678'],
    ['underscore', '010_1234_5678'],
    ['plus in the middle', '010+1234+5678'],
    ['another country', '+1 010 1234 5678'],
    ['+8 only', '+8 10 1234 5678'],
    ['00 international prefix', '0082 10 1234 5678'],
    ['double plus', '++82 10 1234 5678'],
    ['fullwidth digits', '０１０１２３４５６７８'],
    ['tab inside', '010\t1234\t5678'],
    ['newline inside', '010\n12345678'],
    ['extension', '010-1234-5678 ext 1'],
    ['82 then landline', '+82 2 123 4567'],
    ['82 then 070', '+82 70 1234 5678'],
  ])('%s (%j) -> null', (_label, input) => {
    expect(normalizePhone(input)).toBeNull();
  });

  it.each([undefined, null, 1012345678, ['01012345678'], { phone: '01012345678' }])('non-string %p -> null', (input) => {
    expect(normalizePhone(input)).toBeNull();
  });
});

describe('normalizeGenderDigit', () => {
  it.each([
    ['1', '1'],
    ['8', '8'],
    [' 3 ', '3'],
    [1, '1'],
    [4, '4'],
    [8, '8'],
  ] as const)('%p -> %j', (input, expected) => {
    expect(normalizeGenderDigit(input)).toBe(expected);
  });

  it.each(['0', '9', 0, 9, -1, 1.5, '', ' ', '11', '01', '1a', 'a', '１', '+1', '1.0', Number.NaN, null, undefined, true])('%p -> null', (input) => {
    expect(normalizeGenderDigit(input)).toBeNull();
  });
});

describe('centuryOfGenderDigit', () => {
  it.each([
    ['1', 1900],
    ['2', 1900],
    ['5', 1900],
    ['6', 1900],
    ['3', 2000],
    ['4', 2000],
    ['7', 2000],
    ['8', 2000],
    ['9', null],
    ['0', null],
  ] as const)('%s -> %p', (digit, century) => {
    expect(centuryOfGenderDigit(digit)).toBe(century);
  });
});

describe('normalizeBirth', () => {
  const TODAY = '2026-03-15';

  it.each([
    ['19900101', '1', '19900101'],
    ['1990-01-01', '2', '19900101'],
    ['1990.01.01', '5', '19900101'],
    ['1990/01/01', '6', '19900101'],
    ['1990 01 01', '1', '19900101'],
    [' 1990. 01. 01. ', '1', '19900101'],
    ['900101', '1', '19900101'],
    ['90-01-01', '2', '19900101'],
    ['90.01.01', '5', '19900101'],
    ['900101', '6', '19900101'],
    ['050301', '3', '20050301'],
    ['050301', '4', '20050301'],
    ['050301', '7', '20050301'],
    ['050301', '8', '20050301'],
    ['20050301', '3', '20050301'],
    ['2005-03-01', '8', '20050301'],
    ['000229', '3', '20000229'], // 2000 is a leap year
    ['19000101', '1', '19000101'],
    ['991231', '1', '19991231'],
    ['000101', '3', '20000101'],
    ['260314', '4', '20260314'], // yesterday
    ['19960229', '2', '19960229'],
  ])('%j with gender digit %s -> %s', (raw, gender, yyyymmdd) => {
    const result = normalizeBirth(raw, gender, TODAY);
    expect(result).toEqual({
      ok: true,
      yyyymmdd,
      yymmdd: yyyymmdd.slice(2),
      iso: `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6)}`,
    });
  });

  it('accepts a numeric gender digit', () => {
    expect(normalizeBirth('900101', 1, TODAY)).toMatchObject({ ok: true, iso: '1990-01-01' });
  });

  it.each([
    ['', '1', 'format'],
    ['   ', '1', 'format'],
    ['9001', '1', 'format'],
    ['9001011', '1', 'format'],
    ['199001011', '1', 'format'],
    ['19900101x', '1', 'format'],
    ['1990_01_01', '1', 'format'],
    ['1990년 1월 1일', '1', 'format'],
    ['90-1-1', '1', 'format'],
    ['１９９００１０１', '1', 'format'],
    ['900101', '9', 'invalid_gender_digit'],
    ['900101', '0', 'invalid_gender_digit'],
    ['19900101', '', 'invalid_gender_digit'],
    ['19900101', 'M', 'invalid_gender_digit'],
    ['20230229', '3', 'invalid_date'],
    ['230229', '3', 'invalid_date'],
    ['000229', '1', 'invalid_date'], // 1900 is not a leap year
    ['19000229', '1', 'invalid_date'],
    ['19901301', '1', 'invalid_date'],
    ['19900001', '1', 'invalid_date'],
    ['19900100', '1', 'invalid_date'],
    ['19900431', '1', 'invalid_date'],
    ['900230', '1', 'invalid_date'],
    ['19900101', '3', 'century_mismatch'],
    ['19900101', '4', 'century_mismatch'],
    ['19900101', '7', 'century_mismatch'],
    ['20050301', '1', 'century_mismatch'],
    ['20050301', '6', 'century_mismatch'],
    ['18991231', '1', 'century_mismatch'],
    ['21000101', '3', 'century_mismatch'],
    ['260315', '3', 'future'], // today
    ['2026-03-15', '4', 'future'],
    ['260316', '3', 'future'],
    ['991231', '3', 'future'], // 2099
    ['20991231', '3', 'future'],
  ] as Array<[string, string, BirthFailure]>)('%j with gender digit %j -> %s', (raw, gender, reason) => {
    expect(normalizeBirth(raw, gender, TODAY)).toEqual({ ok: false, reason });
  });

  it('uses the given today (in Seoul) as the boundary', () => {
    expect(normalizeBirth('20260314', '3', '2026-03-14')).toEqual({ ok: false, reason: 'future' });
    expect(normalizeBirth('20260314', '3', '2026-03-15')).toMatchObject({ ok: true });
  });

  it.each([undefined, null, 19900101])('non-string birth %p -> format', (raw) => {
    expect(normalizeBirth(raw, '1', TODAY)).toEqual({ ok: false, reason: 'format' });
  });

  it.each(['', '2026-3-15', '20260315', '2026-02-29', '2026-13-01', undefined])('throws on a bad today %p', (today) => {
    expect(() => normalizeBirth('900101', '1', today as string)).toThrow(TypeError);
  });
});

describe('normalizeCarrier', () => {
  it.each([
    ['SKT', 'SKT'],
    ['skt', 'SKT'],
    [' Skt ', 'SKT'],
    ['KT', 'KT'],
    ['kt', 'KT'],
    ['LGT', 'LGT'],
    ['lgt', 'LGT'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeCarrier(input)).toBe(expected);
  });

  it.each(['', 'SK', 'SKT_MVNO', 'LG U+', 'LGU+', 'LG', 'U+', 'S K T', 'KTF', 'SKT1', 'ＳＫＴ', null, undefined, 1])('%p -> null', (input) => {
    expect(normalizeCarrier(input)).toBeNull();
  });

  it('lists the carriers', () => {
    expect(CARRIERS).toEqual(['SKT', 'KT', 'LGT']);
  });
});

describe('normalizeOtp', () => {
  it.each([
    ['123456', '123456'],
    ['000000', '000000'],
    [' 123456 ', '123456'],
    ['\t098765\n', '098765'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeOtp(input)).toBe(expected);
  });

  it.each(['', '12345', '1234567', '123 456', '123-456', '12345a', 'abcdef', '１２３４５６', '١٢٣٤٥٦', '+12345', '-12345', '1e5000', null, undefined, 123456])(
    '%p -> null',
    (input) => {
      expect(normalizeOtp(input)).toBeNull();
    },
  );
});

describe('normalizeName / isValidName', () => {
  it.each([
    ['홍길동', '홍길동'],
    ['김', '김'],
    ['남궁길동', '남궁길동'],
    ['  홍길동  ', '홍길동'],
    ['John Smith', 'John Smith'],
    ['John   Smith', 'John Smith'],
    ['JOHN SMITH', 'JOHN SMITH'],
    ['José Müller', 'José Müller'],
    ['Łukasz Øster', 'Łukasz Øster'],
    ['제임스·본드', '제임스·본드'],
    ['제임스ㆍ본드', '제임스ㆍ본드'],
    ['제임스・본드', '제임스・본드'],
    ['MARIA CLARA DELA CRUZ', 'MARIA CLARA DELA CRUZ'],
    ['가'.repeat(50), '가'.repeat(50)],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
    expect(isValidName(input)).toBe(true);
  });

  it('composes decomposed Hangul (NFD) into syllables', () => {
    const nfd = '홍길동'.normalize('NFD');
    expect(nfd).not.toBe('홍길동');
    expect(normalizeName(nfd)).toBe('홍길동');
    expect(normalizeName('Jose\u0301')).toBe('José');
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['too long', '가'.repeat(51)],
    ['digits', '홍길동2'],
    ['only digits', '123'],
    ['hyphen', 'Jean-Luc'],
    ['apostrophe', "O'Brien"],
    ['period', 'J. Smith'],
    ['comma', 'Smith, John'],
    ['control character', '홍길\u0000동'],
    ['newline inside', '홍길\n동'],
    ['tab inside', 'John\tSmith'],
    ['lone jamo', '홍길ㄷ'],
    ['only jamo', 'ㅎㄱㄷ'],
    ['Hanja', '洪吉童'],
    ['Kana', 'たなか'],
    ['Cyrillic', 'Иван'],
    ['emoji', '홍길동😀'],
    ['only a middle dot', '·'],
    ['only middle dots and spaces', '· ·'],
    ['fullwidth Latin', 'ＪＯＨＮ'],
    ['Roman numeral', 'Henry Ⅷ'],
    ['zero-width space', '홍\u200B길동'],
    ['HTML', '<b>홍</b>'],
  ])('%s (%j) -> null', (_label, input) => {
    expect(normalizeName(input)).toBeNull();
    expect(isValidName(input)).toBe(false);
  });

  it.each([undefined, null, 1, ['홍길동']])('non-string %p -> invalid', (input) => {
    expect(isValidName(input)).toBe(false);
  });
});

describe('isImpUid', () => {
  it.each(['imp_123456789012', 'a', 'A-b_9', 'x'.repeat(64)])('%s -> true', (input) => {
    expect(isImpUid(input)).toBe(true);
  });

  it.each(['', 'x'.repeat(65), 'imp 1', '../etc', 'imp_1?x=1', 1, null, undefined])('%p -> false', (input) => {
    expect(isImpUid(input)).toBe(false);
  });
});
