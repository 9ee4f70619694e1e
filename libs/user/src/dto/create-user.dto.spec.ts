import { normalizeNickname } from './create-user.dto';

describe('normalizeNickname', () => {
  it('trims and NFC-normalizes', () => {
    expect(normalizeNickname('  별명  ')).toBe('별명');
    expect(normalizeNickname('\u1100\u1161')).toBe('가');
  });

  it('counts code points as the varchar(40) column does', () => {
    expect(normalizeNickname('😀'.repeat(40))).toBe('😀'.repeat(40));
    expect(normalizeNickname('😀'.repeat(41))).toBeNull();
    expect(normalizeNickname('a'.repeat(40))).toHaveLength(40);
  });

  it('refuses blank, control and format characters and non-strings', () => {
    for (const bad of ['', '   ', 'a\u0000b', 'a\nb', 'a\u200bb', 'a\u202eb', 42, null, undefined]) {
      expect(normalizeNickname(bad)).toBeNull();
    }
  });
});
