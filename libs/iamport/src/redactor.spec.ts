import { IamportRedactor } from './redactor';

describe('IamportRedactor', () => {
  it('removes credentials, remembered tokens, the request values and long digit runs; cuts to 300 characters', () => {
    const r = new IamportRedactor(['imp_key_abc', 'imp_secret_xyz']);
    r.remember('tok_abcdef');
    const text = r.redact('key imp_key_abc secret imp_secret_xyz token tok_abcdef name 홍길동 phone 010-1234-5678 code 12345', ['홍길동']);
    expect(text).toBe('key [redacted] secret [redacted] token [redacted] name [redacted] phone [redacted] code 12345');
    expect(r.redact('x'.repeat(400), [])).toHaveLength(300);
    expect(r.redact(null, [])).toBeUndefined();
  });

  it('keeps only the last four tokens', () => {
    const r = new IamportRedactor([]);
    for (const t of ['t1aa', 't2aa', 't3aa', 't4aa', 't5aa']) r.remember(t);
    expect(r.redact('t1aa t5aa', [])).toBe('t1aa [redacted]');
  });
});
