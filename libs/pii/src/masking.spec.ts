import { maskBirthday, maskCi, maskName, maskPhone } from './masking';

describe('maskName', () => {
  it.each([
    ['홍길동', '홍*동'],
    ['홍길', '홍*'],
    ['남궁길동', '남**동'],
    ['선우용녀', '선**녀'],
    ['김', '*'],
    ['John Smith', 'J********h'],
    ['Jo', 'J*'],
    ['J', '*'],
    ['  홍길동  ', '홍*동'],
    ['', ''],
    ['   ', ''],
    ['제임스·본드', '제****드'],
    ['😀😁😂', '😀*😂'],
  ])('%j -> %j', (input, expected) => {
    expect(maskName(input)).toBe(expected);
  });

  it('never contains the middle characters of a longer name', () => {
    const masked = maskName('황보가나다라');
    expect(masked).toBe('황****라');
    for (const c of '가나다') expect(masked).not.toContain(c);
  });
});

describe('maskPhone', () => {
  it.each([
    ['01012345678', '010-****-5678'],
    ['0111234567', '011-***-4567'],
    ['010-1234-5678', '010-****-5678'],
    ['016 123 4567', '016-***-4567'],
    ['0212345678', '021-***-5678'],
    ['821012345678', '********5678'],
    ['1234', '****'],
    ['', '****'],
    ['no digits', '****'],
  ])('%j -> %j', (input, expected) => {
    expect(maskPhone(input)).toBe(expected);
  });

  it('never shows the middle digits', () => {
    expect(maskPhone('01098765432')).not.toContain('9876');
  });
});

describe('maskCi', () => {
  const ci = 'Kq8vXl2s9Tn3YbZ1mWc4Rf7Hg0Jd5Ae6Ui8Op2La4Ks6Dj8Fh0Gz1Xc3Vb5Nm7Qw9Er1Ty3Uo5Ip7As9Df1Gh3Jk5L==';

  it('keeps the first 4 characters', () => {
    expect(maskCi(ci)).toBe('Kq8v…');
    expect(maskCi(ci)).not.toContain(ci.slice(4, 8));
  });

  it.each(['', 'short', '12345678'])('fully hides the short value %j', (value) => {
    expect(maskCi(value)).toBe('…');
  });
});

describe('maskBirthday', () => {
  it.each([
    ['1990-01-02', '1990-**-**'],
    ['19900102', '1990-**-**'],
    ['900102', '****-**-**'],
    ['', '****-**-**'],
  ])('%j -> %j', (input, expected) => {
    expect(maskBirthday(input)).toBe(expected);
  });
});
