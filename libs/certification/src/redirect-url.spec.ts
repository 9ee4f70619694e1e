import { appendQuery, isAcceptableRedirectTarget } from './redirect-url';

describe('appendQuery', () => {
  it.each([
    ['/certification/success', { imp_uid: 'imp_1' }, '/certification/success?imp_uid=imp_1'],
    ['https://a.example/done?from=x', { imp_uid: 'imp_1' }, 'https://a.example/done?from=x&imp_uid=imp_1'],
    ['https://a.example/done?', { imp_uid: 'imp_1' }, 'https://a.example/done?imp_uid=imp_1'],
    ['/done#top', { imp_uid: 'imp_1', error_code: 'NOT_CERTIFIED' }, '/done?imp_uid=imp_1&error_code=NOT_CERTIFIED#top'],
    ['/done?a=1#x?y', { e: 'a&b=c' }, '/done?a=1&e=a%26b%3Dc#x?y'],
    ['/done', { imp_uid: undefined, error_code: 'X' }, '/done?error_code=X'],
    ['/done', {}, '/done'],
  ])('%s + %j -> %s', (url, params, expected) => {
    expect(appendQuery(url, params as Record<string, string | undefined>)).toBe(expected);
  });
});

describe('isAcceptableRedirectTarget', () => {
  it('accepts http(s) URLs and same-origin paths only', () => {
    for (const ok of ['/x', '/certification/success?x=1', 'https://a.example/x', 'http://localhost:3000/']) {
      expect(isAcceptableRedirectTarget(ok)).toBe(true);
    }
    for (const bad of ['', '//evil.example/x', '/\\evil', 'javascript:alert(1)', 'x', 'ftp://a/b', '/a b', '/a\n', null, 1]) {
      expect(isAcceptableRedirectTarget(bad)).toBe(false);
    }
  });
});
