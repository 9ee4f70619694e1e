import {
  birthdayFromLegacyBirth,
  MalformedResponseError,
  parseCertification,
  parseOtpResponse,
  parseTokenResponse,
  readEnvelope,
} from './envelope';

describe('readEnvelope', () => {
  it('reads code, message and response', () => {
    expect(readEnvelope({ code: 0, message: null, response: { imp_uid: 'imp_1' } })).toEqual({
      code: 0,
      message: null,
      response: { imp_uid: 'imp_1' },
    });
  });

  it('keeps a non-zero code of a 200 body, so the caller treats it as an error', () => {
    expect(readEnvelope({ code: 1, message: '존재하지 않는 결제정보입니다', response: null })).toEqual({
      code: 1,
      message: '존재하지 않는 결제정보입니다',
      response: null,
    });
    expect(readEnvelope({ code: '-1', message: '오류' })?.code).toBe(-1);
  });

  it('parses a JSON string body and rejects what is not an envelope', () => {
    expect(readEnvelope('{"code":0,"message":null,"response":1}')?.response).toBe(1);
    expect(readEnvelope('<html>502 Bad Gateway</html>')).toBeNull();
    expect(readEnvelope('')).toBeNull();
    expect(readEnvelope(null)).toBeNull();
    expect(readEnvelope({ message: 'no code' })).toBeNull();
    expect(readEnvelope([1, 2])).toBeNull();
  });
});

describe('response parsers', () => {
  it('parses the token response and rejects an incomplete one', () => {
    expect(parseTokenResponse({ access_token: 'abc', now: 100, expired_at: 1900 })).toEqual({
      access_token: 'abc',
      now: 100,
      expired_at: 1900,
    });
    expect(() => parseTokenResponse({ access_token: 'abc', now: 100 })).toThrow(MalformedResponseError);
    expect(() => parseTokenResponse({ now: 1, expired_at: 2 })).toThrow(MalformedResponseError);
  });

  it('parses the OTP response', () => {
    expect(parseOtpResponse({ imp_uid: 'imp_123', extra: 1 })).toEqual({ imp_uid: 'imp_123' });
    expect(() => parseOtpResponse({})).toThrow(MalformedResponseError);
  });
});

describe('parseCertification', () => {
  const full = {
    imp_uid: 'imp_1',
    merchant_uid: 'm_1',
    pg_tid: 'tid',
    pg_provider: 'danal',
    pg_type: 'certification',
    name: '홍길동',
    gender: 'male',
    birth: 631119600,
    birthday: '1990-01-01',
    foreigner: false,
    foreigner_v2: null,
    phone: '01012345678',
    carrier: 'SKT',
    certified: true,
    certified_at: 1700000000,
    unique_key: 'ci',
    unique_in_site: 'di',
    origin: 'https://example.com',
  };

  it('keeps the upstream fields', () => {
    expect(parseCertification(full)).toEqual(full);
  });

  it('fills omitted optional fields with null (phone and carrier need carrier approval)', () => {
    const c = parseCertification({ imp_uid: 'imp_2', pg_provider: 'danal', foreigner: false });
    expect(c).toEqual({
      imp_uid: 'imp_2',
      merchant_uid: null,
      pg_tid: null,
      pg_provider: 'danal',
      name: null,
      gender: null,
      birthday: null,
      foreigner: false,
      foreigner_v2: null,
      phone: null,
      carrier: null,
      certified: false,
      certified_at: 0,
      unique_key: null,
      unique_in_site: null,
      origin: null,
    });
    expect('birth' in c).toBe(false);
  });

  it('derives birthday from the legacy birth (midnight in Asia/Seoul) when birthday is missing', () => {
    // 1990-01-01T00:00:00+09:00
    const c = parseCertification({ ...full, birthday: undefined, birth: 631119600 });
    expect(c.birthday).toBe('1990-01-01');
    expect(c.birth).toBe(631119600);
  });

  it('accepts a numeric-string certified_at (one upstream page types it as a string)', () => {
    expect(parseCertification({ ...full, certified_at: '1700000000' }).certified_at).toBe(1700000000);
  });

  it('rejects a body without imp_uid', () => {
    expect(() => parseCertification({ name: 'x' })).toThrow(MalformedResponseError);
    expect(() => parseCertification(null)).toThrow(MalformedResponseError);
  });
});

describe('birthdayFromLegacyBirth', () => {
  it('reads the date in Asia/Seoul', () => {
    expect(birthdayFromLegacyBirth(Date.parse('2004-02-29T00:00:00+09:00') / 1000)).toBe('2004-02-29');
    expect(birthdayFromLegacyBirth(Date.parse('1999-12-31T00:00:00+09:00') / 1000)).toBe('1999-12-31');
  });

  it('tolerates historical offsets (UTC+8:30, summer time UTC+10) and UTC midnight', () => {
    expect(birthdayFromLegacyBirth(Date.parse('1958-05-05T00:00:00+08:30') / 1000)).toBe('1958-05-05');
    expect(birthdayFromLegacyBirth(Date.parse('1987-07-01T00:00:00+10:00') / 1000)).toBe('1987-07-01');
    expect(birthdayFromLegacyBirth(Date.parse('1990-01-01T00:00:00Z') / 1000)).toBe('1990-01-01');
  });
});
