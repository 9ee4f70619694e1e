import { ConfigError, loadAppConfig } from './app-config';
import { parseTrustProxy } from './trust-proxy';

const pipe = { stdoutIsTTY: false };
const production = {
  NODE_ENV: 'production', IAMPORT_IMP_KEY: 'k', IAMPORT_IMP_SECRET: 's', IAMPORT_BASE_URL: 'https://api.iamport.kr', DATABASE_URL: 'postgres://db/x',
  PII_ENCRYPTION_KEYS: 'k1:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=', PII_HMAC_KEY: 'MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadAppConfig(env, pipe);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('TRUST_PROXY', () => {
  it('takes the forms of Fastify trustProxy: false, a hop count, addresses and CIDR ranges, true', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy(' 2 ')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.7,::1,fd00::/8,loopback')).toEqual(['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8', 'loopback']);
    expect(parseTrustProxy('true')).toBe(true);
    for (const bad of ['maybe', '10.0.0.0/33', '10.0.0/8', '::1/129', '10.0.0.1/8/1', '10.0.0.1,', 'example.com', '1.5', '-1']) {
      expect(parseTrustProxy(bad)).toBeUndefined();
    }
  });

  it('reaches AppConfig as Fastify takes it', () => {
    expect(loadAppConfig({ TRUST_PROXY: '1' }, pipe).trustProxy).toBe(1);
    expect(loadAppConfig({ TRUST_PROXY: '10.1.0.0/16,10.2.0.9' }, pipe).trustProxy).toEqual(['10.1.0.0/16', '10.2.0.9']);
    expect(loadAppConfig({ ...production, TRUST_PROXY: '2' }, pipe).trustProxy).toBe(2);
  });

  it('accepts true in development, refuses it with NODE_ENV=production (a clear boot error)', () => {
    expect(loadAppConfig({ TRUST_PROXY: 'true' }, pipe).trustProxy).toBe(true);
    const problems = problemsOf({ ...production, TRUST_PROXY: 'yes' });
    expect(problems).toEqual([expect.stringMatching(/^TRUST_PROXY=true trusts every X-Forwarded-For hop.*refused when NODE_ENV=production/)]);
  });

  it('names a malformed value', () => {
    expect(problemsOf({ TRUST_PROXY: '10.0.0.0/40' })).toEqual([
      'TRUST_PROXY must be true or false, a hop count, or a comma-separated list of proxy addresses or CIDR ranges (got "10.0.0.0/40")',
    ]);
  });
});
