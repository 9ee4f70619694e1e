import { resolveCertificationOptions } from './certification.options';

describe('resolveCertificationOptions', () => {
  it('fills the defaults', () => {
    const o = resolveCertificationOptions({});
    expect(o).toMatchObject({
      otpTtlSeconds: 180,
      otpMaxAttempts: 5,
      verificationTokenTtlSeconds: 1800,
      company: null,
      redirect: { successUrl: '/certification/success', failureUrl: '/certification/failure' },
      onEvent: null,
      otpRequestLimiter: null,
      recovery: null,
    });
    expect(o.clock()).toBeInstanceOf(Date);
    expect(resolveCertificationOptions(undefined).otpMaxAttempts).toBe(5);
  });

  it('keeps given values (null URLs from an unset environment fall back to the defaults)', () => {
    const o = resolveCertificationOptions({
      otpTtlSeconds: 600,
      otpMaxAttempts: 3,
      verificationTokenTtlSeconds: 60,
      company: '서비스',
      redirect: { successUrl: 'https://a.example/ok', failureUrl: null },
      recovery: { intervalSeconds: 30 },
    });
    expect(o).toMatchObject({
      otpTtlSeconds: 600,
      otpMaxAttempts: 3,
      verificationTokenTtlSeconds: 60,
      company: '서비스',
      redirect: { successUrl: 'https://a.example/ok', failureUrl: '/certification/failure' },
      recovery: { intervalSeconds: 30, batchSize: 50, minAgeSeconds: 60 },
    });
  });

  it.each([
    [{ otpTtlSeconds: 601 }, /otpTtlSeconds/],
    [{ otpTtlSeconds: 0 }, /otpTtlSeconds/],
    [{ otpMaxAttempts: 1.5 }, /otpMaxAttempts/],
    [{ verificationTokenTtlSeconds: -1 }, /verificationTokenTtlSeconds/],
    [{ redirect: { successUrl: '//evil.example' } }, /successUrl/],
    [{ redirect: { failureUrl: 'javascript:x' } }, /failureUrl/],
    [{ company: 'c'.repeat(51) }, /company/],
    [{ recovery: { intervalSeconds: 0 } }, /recovery.intervalSeconds/],
    [{ onEvent: 'x' }, /onEvent/],
    [{ otpRequestLimiter: {} }, /otpRequestLimiter/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveCertificationOptions(options as never)).toThrow(message);
  });
});
