import { ConfigError, loadAppConfig } from './app-config';

const terminal = { stdoutIsTTY: true };
const pipe = { stdoutIsTTY: false };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadAppConfig(env, pipe);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadAppConfig', () => {
  it('gives the documented defaults for an empty environment (empty values count as unset)', () => {
    const config = loadAppConfig({ PORT: '', HOST: '  ' }, pipe);
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      logLevel: 'info',
      logFormat: 'json',
      trustProxy: false,
      database: { url: null, poolSize: 10, preparedStatements: true },
      redisUrl: null,
      redisKeyPrefix: 'iamport-backend:',
      rateLimitOnRedisFailure: null,
      iamport: { baseUrl: 'http://127.0.0.1:4010', impKey: 'sandbox_imp_key', usingSandbox: true, timeoutMs: 5000, callDeadlineMs: 12000 },
      otp: { ttlSeconds: 180, maxAttempts: 5, sendLimitPerPhone: 5, sendLimitPerIp: 20, confirmLimitPerIp: 60 },
      agePolicy: { minAge: 14, mode: 'international' },
      admin: { apiKeys: '' },
      shutdownGraceMs: 10000,
    });
  });

  it('converts numbers, booleans and case-insensitive choices', () => {
    const config = loadAppConfig(
      { PORT: '8080', TRUST_PROXY: 'yes', DATABASE_PREPARED_STATEMENTS: 'off', LOG_LEVEL: 'WARN', RATE_LIMIT_ON_REDIS_FAILURE: 'Local' },
      pipe,
    );
    expect(config).toMatchObject({ port: 8080, trustProxy: true, logLevel: 'warn', rateLimitOnRedisFailure: 'local' });
    expect(config.database.preparedStatements).toBe(false);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      OTP_TTL_SECONDS: '5',
      TRUST_PROXY: 'maybe',
      AGE_POLICY_MODE: 'lunar',
      LOG_FORMAT: 'xml',
      RATE_LIMIT_ON_REDIS_FAILURE: 'open',
      IAMPORT_IMP_KEY: 'key-only',
      IAMPORT_TIMEOUT_MS: '9000',
      IAMPORT_CALL_DEADLINE_MS: '8000',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT must be an integer between 0 and 65535 (got "eighty")',
        'OTP_TTL_SECONDS must be between 30 and 600 (got 5)',
        'TRUST_PROXY must be true or false, a hop count, or a comma-separated list of proxy addresses or CIDR ranges (got "maybe")',
        expect.stringMatching(/^AGE_POLICY_MODE must be one of "international", "calendar-year"/),
        expect.stringMatching(/^LOG_FORMAT must be one of "pretty", "json"/),
        expect.stringMatching(/^RATE_LIMIT_ON_REDIS_FAILURE must be one of "fail-closed", "local"/),
        'IAMPORT_IMP_KEY and IAMPORT_IMP_SECRET must be set together',
        'IAMPORT_CALL_DEADLINE_MS (8000) must be >= IAMPORT_TIMEOUT_MS (9000)',
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  it('never shows the value of a URL or a key in its message', () => {
    const secret = 's3cr3t-pa55word';
    let message = '';
    try {
      loadAppConfig(
        { DATABASE_URL: `mysql://u:${secret}@db/x`, REDIS_URL: `http://:${secret}@r`, REDIS_KEY_PREFIX: `bad prefix ${secret}`, IAMPORT_IMP_SECRET: secret },
        pipe,
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL must be a postgres: or postgresql: URL/);
    expect(message).toMatch(/REDIS_URL must be a redis: or rediss: URL/);
    expect(message).toMatch(/REDIS_KEY_PREFIX must be 1-64 characters/);
    expect(message).toMatch(/IAMPORT_IMP_KEY and IAMPORT_IMP_SECRET must be set together/);
    expect(message).not.toContain(secret);
    // a rule across variables is not checked on a value already refused
    expect(message).not.toMatch(/PII_ENCRYPTION_KEYS and PII_HMAC_KEY are required/);
  });

  it('requires real upstream keys in production, and PII keys with DATABASE_URL', () => {
    expect(problemsOf({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x' })).toEqual([
      'IAMPORT_IMP_KEY and IAMPORT_IMP_SECRET are required when NODE_ENV=production',
      expect.stringMatching(/^PII_ENCRYPTION_KEYS and PII_HMAC_KEY are required with DATABASE_URL/),
    ]);
  });

  describe('LOG_FORMAT', () => {
    it('defaults to pretty in a terminal outside production, JSON otherwise', () => {
      expect(loadAppConfig({}, terminal).logFormat).toBe('pretty');
      expect(loadAppConfig({}, pipe).logFormat).toBe('json');
      const production = {
        NODE_ENV: 'production', IAMPORT_IMP_KEY: 'k', IAMPORT_IMP_SECRET: 's', DATABASE_URL: 'postgres://db/x',
        PII_ENCRYPTION_KEYS: 'k1:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=', PII_HMAC_KEY: 'MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=',
      };
      expect(loadAppConfig(production, terminal).logFormat).toBe('json');
    });

    it('is taken as given, and LOG_PRETTY (the older spelling) applies only without it', () => {
      expect(loadAppConfig({ LOG_FORMAT: 'json' }, terminal)).toMatchObject({ logFormat: 'json', logPretty: false });
      expect(loadAppConfig({ LOG_FORMAT: 'pretty' }, pipe)).toMatchObject({ logFormat: 'pretty', logPretty: true });
      expect(loadAppConfig({ LOG_PRETTY: 'true' }, pipe).logFormat).toBe('pretty');
      expect(loadAppConfig({ LOG_PRETTY: 'false' }, terminal).logFormat).toBe('json');
      expect(loadAppConfig({ LOG_PRETTY: 'true', LOG_FORMAT: 'json' }, pipe).logFormat).toBe('json');
    });
  });

  it('ignores variables it does not read', () => {
    expect(() => loadAppConfig({ PATH: '/usr/bin', SOMETHING_ELSE: 'x' }, pipe)).not.toThrow();
  });
});
