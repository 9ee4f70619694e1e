import { buildVerificationView, type VerificationViewInput } from './verification-view';

const INPUT: VerificationViewInput = {
  impUid: 'imp_123456789012',
  certifiedAt: new Date('2026-03-01T01:02:03Z'),
  name: '홍길동',
  birthday: '2012-02-29',
  gender: 'male',
  foreigner: null,
  token: 'T'.repeat(43),
  tokenExpiresAt: new Date('2026-03-01T01:32:03Z'),
};

describe('buildVerificationView', () => {
  it('shows the masked name, the international age in Seoul and the token, and nothing else', () => {
    const view = buildVerificationView(INPUT, new Date('2026-02-28T15:00:00Z')); // Seoul 2026-03-01
    expect(view).toEqual({
      imp_uid: 'imp_123456789012',
      status: 'verified',
      certified_at: '2026-03-01T01:02:03.000Z',
      name: '홍*동',
      birthday: '2012-02-29',
      age: 14,
      gender: 'male',
      foreigner: false,
      verification_token: 'T'.repeat(43),
      verification_expires_at: '2026-03-01T01:32:03.000Z',
    });
    expect(Object.keys(view)).not.toEqual(expect.arrayContaining(['ci', 'di', 'phone', 'unique_key']));
    expect(JSON.stringify(view)).not.toContain('홍길동');
  });

  it('computes the age from the date in Seoul, not UTC', () => {
    // UTC 2026-02-28 14:59:59 is Seoul 2026-02-28 23:59:59: not yet 14 (29 Feb in a common year)
    expect(buildVerificationView(INPUT, new Date('2026-02-28T14:59:59Z')).age).toBe(13);
    expect(buildVerificationView(INPUT, new Date('2026-02-28T15:00:00Z')).age).toBe(14);
  });

  it('shows no age rather than failing for an unusable birthday', () => {
    expect(buildVerificationView({ ...INPUT, birthday: '2099-01-01' }, new Date('2026-01-01T00:00:00Z')).age).toBeNull();
    expect(buildVerificationView({ ...INPUT, birthday: 'garbage' }, new Date('2026-01-01T00:00:00Z')).age).toBeNull();
  });

  it('masks short and Latin names', () => {
    expect(buildVerificationView({ ...INPUT, name: '김수' }, new Date()).name).toBe('김*');
    expect(buildVerificationView({ ...INPUT, name: 'Anna Kim' }, new Date()).name).toBe('A******m');
    expect(buildVerificationView({ ...INPUT, foreigner: true }, new Date()).foreigner).toBe(true);
  });
});
