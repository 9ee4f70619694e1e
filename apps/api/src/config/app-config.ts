import { resolve } from 'node:path';

export type AgeMode = 'international' | 'calendar-year';

/**
 * The api's whole configuration, read from the environment once at boot and validated into
 * this typed object. Every problem is reported at once and boot stops (fail fast); values are
 * never echoed for secret variables.
 */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  host: string;
  dataDir: string;
  logLevel: string;
  /** Pretty, human-readable logs (a terminal); JSON lines otherwise. */
  logPretty: boolean;
  trustProxy: boolean;
  database: {
    /** Unset: the embedded PGlite database in `dataDir/pglite`. */
    url: string | null;
    poolSize: number;
    /** Hot statements as named prepared statements (off behind PgBouncer in transaction mode). */
    preparedStatements: boolean;
  };
  redisUrl: string | null;
  /** Prefix of every Redis key this api writes (rate-limit counters, token cache). */
  redisKeyPrefix: string;
  iamport: {
    baseUrl: string;
    impKey: string;
    impSecret: string;
    timeoutMs: number;
    /** Bound of one whole upstream call, retries and token fetch included (>= timeoutMs). */
    callDeadlineMs: number;
    /** True when no IAMPORT_IMP_KEY was given and the local sandbox's credentials are used. */
    usingSandbox: boolean;
    company: string | null;
  };
  pii: {
    /** Unset in embedded mode: generated once into `dataDir`. */
    encryptionKeys: string | null;
    hmacKey: string | null;
  };
  otp: {
    ttlSeconds: number;
    maxAttempts: number;
    sendLimitPerPhone: number;
    sendLimitPerIp: number;
    confirmLimitPerIp: number;
  };
  signupLimitPerIp: number;
  verificationTokenTtlSeconds: number;
  agePolicy: { minAge: number; mode: AgeMode };
  redirect: { successUrl: string | null; failureUrl: string | null };
  admin: { apiKeys: string };
  retention: { unusedVerificationDays: number };
  shutdownGraceMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadAppConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const str = (name: string): string | null => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? null : v.trim();
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === null) return def;
    if (!/^\d+$/.test(raw)) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return def;
    }
    const n = Number(raw);
    if (n < min || n > max) problems.push(`${name} must be between ${min} and ${max} (got ${n})`);
    return n;
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = str(name);
    if (raw === null) return def;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return def;
  };
  const url = (name: string, protocols: string[]): string | null => {
    const raw = str(name);
    if (raw === null) return null;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      // Never echo the value: a database or Redis URL can carry a password.
      problems.push(`${name} must be a ${protocols.join(' or ')} URL`);
      return null;
    }
  };

  const nodeEnv = str('NODE_ENV') ?? 'development';
  const production = nodeEnv === 'production';

  const impKey = str('IAMPORT_IMP_KEY');
  const impSecret = str('IAMPORT_IMP_SECRET');
  if ((impKey === null) !== (impSecret === null)) {
    problems.push('IAMPORT_IMP_KEY and IAMPORT_IMP_SECRET must be set together');
  }
  const usingSandbox = impKey === null;
  if (usingSandbox && production) {
    problems.push('IAMPORT_IMP_KEY and IAMPORT_IMP_SECRET are required when NODE_ENV=production');
  }
  const sandboxPort = int('SANDBOX_PORT', 4010, 1, 65535);
  const iamportBaseUrl =
    url('IAMPORT_BASE_URL', ['http:', 'https:']) ??
    (usingSandbox ? `http://127.0.0.1:${sandboxPort}` : 'https://api.iamport.kr');

  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const encryptionKeys = str('PII_ENCRYPTION_KEYS');
  const hmacKey = str('PII_HMAC_KEY');
  if (databaseUrl !== null && (encryptionKeys === null || hmacKey === null)) {
    problems.push(
      'PII_ENCRYPTION_KEYS and PII_HMAC_KEY are required with DATABASE_URL ' +
        '(keys are only generated automatically for the embedded database)',
    );
  }

  const mode = (str('AGE_POLICY_MODE') ?? 'international') as AgeMode;
  if (mode !== 'international' && mode !== 'calendar-year') {
    problems.push(`AGE_POLICY_MODE must be "international" or "calendar-year" (got "${mode}")`);
  }

  const config: AppConfig = {
    nodeEnv,
    port: int('PORT', 3000, 0, 65535),
    host: str('HOST') ?? '0.0.0.0',
    dataDir: resolve(str('DATA_DIR') ?? './.data'),
    logLevel: str('LOG_LEVEL') ?? 'info',
    logPretty: bool('LOG_PRETTY', false),
    trustProxy: bool('TRUST_PROXY', false),
    database: {
      url: databaseUrl,
      poolSize: int('DATABASE_POOL_SIZE', 10, 1, 200),
      preparedStatements: bool('DATABASE_PREPARED_STATEMENTS', true),
    },
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    redisKeyPrefix: redisKeyPrefix(str('REDIS_KEY_PREFIX'), problems),
    iamport: {
      baseUrl: iamportBaseUrl,
      impKey: impKey ?? 'sandbox_imp_key',
      impSecret: impSecret ?? 'sandbox_imp_secret',
      timeoutMs: int('IAMPORT_TIMEOUT_MS', 5000, 100, 60000),
      callDeadlineMs: int('IAMPORT_CALL_DEADLINE_MS', 12000, 1000, 60000),
      usingSandbox,
      company: str('IAMPORT_COMPANY'),
    },
    pii: { encryptionKeys, hmacKey },
    otp: {
      ttlSeconds: int('OTP_TTL_SECONDS', 180, 30, 600),
      maxAttempts: int('OTP_MAX_ATTEMPTS', 5, 1, 10),
      sendLimitPerPhone: int('OTP_SEND_LIMIT_PER_PHONE', 5, 1, 1000),
      sendLimitPerIp: int('OTP_SEND_LIMIT_PER_IP', 20, 1, 100000),
      confirmLimitPerIp: int('OTP_CONFIRM_LIMIT_PER_IP', 60, 1, 100000),
    },
    signupLimitPerIp: int('SIGNUP_LIMIT_PER_IP', 30, 1, 100000),
    verificationTokenTtlSeconds: int('VERIFICATION_TOKEN_TTL_SECONDS', 1800, 60, 86400),
    agePolicy: { minAge: int('AGE_POLICY_MIN_AGE', 14, 0, 150), mode },
    redirect: {
      successUrl: url('CERTIFICATION_REDIRECT_SUCCESS_URL', ['http:', 'https:']),
      failureUrl: url('CERTIFICATION_REDIRECT_FAILURE_URL', ['http:', 'https:']),
    },
    admin: { apiKeys: str('ADMIN_API_KEYS') ?? '' },
    retention: { unusedVerificationDays: int('RETENTION_UNUSED_VERIFICATION_DAYS', 30, 1, 3650) },
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 10000, 0, 120000),
  };
  if (config.iamport.callDeadlineMs < config.iamport.timeoutMs) {
    problems.push(
      `IAMPORT_CALL_DEADLINE_MS (${config.iamport.callDeadlineMs}) must be >= IAMPORT_TIMEOUT_MS (${config.iamport.timeoutMs})`,
    );
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** `REDIS_KEY_PREFIX`: default `iamport-backend:`; letters, digits and `:_.-`, 1-64 characters. */
function redisKeyPrefix(raw: string | null, problems: string[]): string {
  if (raw === null) return 'iamport-backend:';
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(raw)) {
    problems.push('REDIS_KEY_PREFIX must be 1-64 characters of letters, digits and ":_.-"');
    return 'iamport-backend:';
  }
  return raw;
}
