import { normalizeOtpRequest } from './otp-request';

const TODAY = '2026-03-01';
const VALID = { name: ' 홍길동 ', phone: '+82 10-1234-5678', birth: '1990-01-01', genderDigit: '1', carrier: 'SKT' };

describe('normalizeOtpRequest', () => {
  it('normalises a valid request (no service name: that is configuration, not input)', () => {
    expect(normalizeOtpRequest(VALID, { today: TODAY })).toEqual({
      ok: true,
      value: {
        name: '홍길동', phone: '01012345678', birth: { yymmdd: '900101', iso: '1990-01-01' }, genderDigit: '1', carrier: 'SKT',
        isMvno: undefined, merchantUid: null,
      },
    });
    const own = normalizeOtpRequest({ ...VALID, merchantUid: 'm-1', isMvno: true }, { today: TODAY });
    expect(own.ok && own.value).toMatchObject({ merchantUid: 'm-1', isMvno: true });
    expect(own.ok && 'company' in own.value).toBe(false);
  });

  it('answers every bad field at once, without echoing the input', () => {
    const result = normalizeOtpRequest(
      { name: '홍1', phone: '02-123-4567', birth: '1990', genderDigit: '9', carrier: 'XX', isMvno: 'yes', merchantUid: 'a\u0000' },
      { today: TODAY },
    );
    expect(result.ok).toBe(false);
    const fields = !result.ok ? result.fields : [];
    expect(fields.map((f) => f.field)).toEqual(['name', 'phone', 'gender_digit', 'carrier', 'birth', 'is_mvno', 'merchant_uid']);
    expect(JSON.stringify(fields)).not.toContain('02-123-4567');
  });

  it('reports a century mismatch on both fields, and a future birth', () => {
    const mismatch = normalizeOtpRequest({ ...VALID, genderDigit: '3' }, { today: TODAY });
    expect(!mismatch.ok && mismatch.fields.map((f) => f.field)).toEqual(['birth', 'gender_digit']);
    const future = normalizeOtpRequest({ ...VALID, birth: '2026-03-02', genderDigit: '3' }, { today: TODAY });
    expect(!future.ok && future.fields).toEqual([{ field: 'birth', message: 'birth must be a past date' }]);
  });
});
