import { ConfigError, loadAppConfig } from './app-config';

const pipe = { stdoutIsTTY: false };
const KEYS = {
  PII_ENCRYPTION_KEYS: 'k1:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=',
  PII_HMAC_KEY: 'YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXphYmNkZWY=',
};
/** A production environment that boots: real-looking keys, https upstream, a database. */
const PRODUCTION = {
  NODE_ENV: 'production',
  IAMPORT_IMP_KEY: 'live_key',
  IAMPORT_IMP_SECRET: 'live_secret',
  DATABASE_URL: 'postgres://app:pw@db/identity',
  ...KEYS,
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadAppConfig(env, pipe);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('NODE_ENV=production refuses development settings', () => {
  it('boots with real credentials, the default https upstream, a database and its keys; docs off', () => {
    const config = loadAppConfig(PRODUCTION, pipe);
    expect(config.iamport.baseUrl).toBe('https://api.iamport.kr');
    expect(config.docsEnabled).toBe(false);
    expect(loadAppConfig({ ...PRODUCTION, DOCS_ENABLED: 'true' }, pipe).docsEnabled).toBe(true);
  });

  it("refuses the sandbox's credentials, even given explicitly", () => {
    expect(problemsOf({ ...PRODUCTION, IAMPORT_IMP_KEY: 'sandbox_imp_key', IAMPORT_IMP_SECRET: 'sandbox_imp_secret' })).toEqual([
      "IAMPORT_IMP_KEY / IAMPORT_IMP_SECRET are the sandbox's credentials: not allowed when NODE_ENV=production",
    ]);
    expect(problemsOf({ ...PRODUCTION, IAMPORT_IMP_KEY: undefined, IAMPORT_IMP_SECRET: undefined })).toEqual([
      'IAMPORT_IMP_KEY and IAMPORT_IMP_SECRET are required when NODE_ENV=production',
    ]);
  });

  it('refuses an http: upstream unless ALLOW_INSECURE_UPSTREAM=true, without showing the URL', () => {
    const env = { ...PRODUCTION, IAMPORT_BASE_URL: 'http://upstream.internal:8080/secret-path' };
    const problems = problemsOf(env);
    expect(problems).toEqual([expect.stringMatching(/^IAMPORT_BASE_URL must be an https: URL when NODE_ENV=production/)]);
    expect(problems.join()).not.toContain('secret-path');
    expect(problemsOf({ ...env, ALLOW_INSECURE_UPSTREAM: 'true' })).toEqual([]);
    expect(problemsOf({ ...PRODUCTION, IAMPORT_BASE_URL: 'https://upstream.internal' })).toEqual([]);
  });

  describe('with IDENTITY_PROVIDER=portone (PortOne V2)', () => {
    const V2 = {
      NODE_ENV: 'production', IDENTITY_PROVIDER: 'portone', PORTONE_API_SECRET: 'live_v2_secret', PORTONE_CHANNEL_KEY: 'channel-key-live',
      DATABASE_URL: PRODUCTION.DATABASE_URL, ...KEYS,
    };

    it('boots without the V1 keys; refuses a missing secret or channel key, and the sandbox secret', () => {
      expect(problemsOf(V2)).toEqual([]);
      const required = 'PORTONE_API_SECRET and PORTONE_CHANNEL_KEY are required with IDENTITY_PROVIDER=portone when NODE_ENV=production';
      expect(problemsOf({ ...V2, PORTONE_API_SECRET: undefined })).toEqual([required]);
      expect(problemsOf({ ...V2, PORTONE_CHANNEL_KEY: undefined })).toEqual([required]);
      expect(problemsOf({ ...V2, PORTONE_API_SECRET: 'sandbox_portone_api_secret' })).toEqual([
        "PORTONE_API_SECRET is the sandbox's secret: not allowed when NODE_ENV=production",
      ]);
    });

    it('refuses an http: PORTONE_BASE_URL unless ALLOW_INSECURE_UPSTREAM=true, without showing the URL', () => {
      const env = { ...V2, PORTONE_BASE_URL: 'http://v2.internal:8080/secret-path' };
      const problems = problemsOf(env);
      expect(problems).toEqual([expect.stringMatching(/^PORTONE_BASE_URL must be an https: URL when NODE_ENV=production/)]);
      expect(problems.join()).not.toContain('secret-path');
      expect(problemsOf({ ...env, ALLOW_INSECURE_UPSTREAM: 'true' })).toEqual([]);
      expect(problemsOf({ ...V2, PORTONE_BASE_URL: 'https://v2.internal' })).toEqual([]);
    });
  });

  it('refuses the embedded database and generated PII keys', () => {
    expect(problemsOf({ ...PRODUCTION, DATABASE_URL: undefined })).toEqual([
      'DATABASE_URL is required when NODE_ENV=production (the embedded database is for development)',
    ]);
    expect(problemsOf({ ...PRODUCTION, DATABASE_URL: undefined, PII_ENCRYPTION_KEYS: undefined, PII_HMAC_KEY: '' })).toEqual([
      'DATABASE_URL is required when NODE_ENV=production (the embedded database is for development)',
      'PII_ENCRYPTION_KEYS and PII_HMAC_KEY are required when NODE_ENV=production (generated keys are for development)',
    ]);
  });

  it('reports every production problem at once', () => {
    const problems = problemsOf({ NODE_ENV: 'production', IAMPORT_IMP_KEY: 'sandbox_imp_key', IAMPORT_IMP_SECRET: 'x', IAMPORT_BASE_URL: 'http://sandbox:4010' });
    expect(problems).toHaveLength(4);
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['IAMPORT_IMP_KEY', 'IAMPORT_BASE_URL', 'DATABASE_URL', 'PII_ENCRYPTION_KEYS']);
  });

  it('leaves development alone: unset NODE_ENV is development (npm start), the sandbox and the embedded database allowed', () => {
    const config = loadAppConfig({ IAMPORT_BASE_URL: 'http://sandbox:4010' }, pipe);
    expect(config.nodeEnv).toBe('development');
    expect(config.iamport.usingSandbox).toBe(true);
    expect(config.database.url).toBeNull();
    expect(config.docsEnabled).toBe(true);
    expect(loadAppConfig({ NODE_ENV: '' }, pipe).nodeEnv).toBe('development');
    expect(loadAppConfig({ DOCS_ENABLED: 'false' }, pipe).docsEnabled).toBe(false);
  });
});

describe('METRICS_PORT, METRICS_TOKEN', () => {
  it('are off by default; METRICS_HOST defaults to HOST', () => {
    expect(loadAppConfig({}, pipe).metrics).toEqual({ port: null, host: '0.0.0.0', token: null });
    expect(loadAppConfig({ HOST: '10.0.0.5', METRICS_PORT: '9100' }, pipe).metrics).toEqual({ port: 9100, host: '10.0.0.5', token: null });
  });

  it('refuses a short token (without showing it) and a METRICS_PORT equal to PORT', () => {
    const problems = problemsOf({ METRICS_TOKEN: 'short', METRICS_PORT: '3000' });
    expect(problems).toEqual(['METRICS_TOKEN must be 16-256 printable characters without spaces', 'METRICS_PORT must differ from PORT (it is a second listener)']);
  });
});
