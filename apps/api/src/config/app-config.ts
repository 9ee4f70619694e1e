import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { productionProblems } from './production-rules';
import { EnvironmentVariables, type AGE_MODES, type IDENTITY_PROVIDERS, type LOG_FORMATS, type LOG_LEVELS, type REDIS_FAILURE_MODES } from './env.schema';
import type { TrustProxy } from './trust-proxy';

export type AgeMode = (typeof AGE_MODES)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];
/** What the rate limiter does while Redis does not answer (see rate-limit/redis-failure.ts). */
export type RedisFailureMode = (typeof REDIS_FAILURE_MODES)[number];

/**
 * The api's whole configuration, read from the environment once at boot and validated into
 * this typed object (`loadAppConfig`; provided through @nestjs/config by AppConfigModule).
 * Every problem is reported at once and boot stops; values are never echoed for secret variables.
 */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  host: string;
  dataDir: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** LOG_FORMAT: pino-pretty lines (a developer's terminal) or JSON lines. */
  logFormat: LogFormat;
  /** `logFormat === 'pretty'`. */
  logPretty: boolean;
  /** Fastify's `trustProxy`: false, a hop count, or the trusted proxies' addresses / CIDR ranges. */
  trustProxy: TrustProxy;
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
  /** RATE_LIMIT_ON_REDIS_FAILURE for every limit; null: fail-closed for OTP sends, local for the rest. */
  rateLimitOnRedisFailure: RedisFailureMode | null;
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
  /** IDENTITY_PROVIDER: i'mport / PortOne V1 (default) or PortOne V2. */
  identityProvider: (typeof IDENTITY_PROVIDERS)[number];
  portone: {
    baseUrl: string;
    apiSecret: string;
    storeId: string | null;
    channelKey: string;
    /** True when no PORTONE_API_SECRET was given and the local sandbox's V2 is used. */
    usingSandbox: boolean;
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
    /** Wrong OTPs per phone per 24 hours before its confirmations are refused (at most 100). */
    failureLimitPerPhonePerDay: number;
  };
  signupLimitPerIp: number;
  verificationTokenTtlSeconds: number;
  agePolicy: { minAge: number; mode: AgeMode };
  redirect: { successUrl: string | null; failureUrl: string | null };
  /** The browser window flows: claim window, limits, the merchant code and script the page loads, the demo page. */
  window: {
    claimWindowSeconds: number;
    startLimitPerIp: number;
    redirectLimitPerIp: number;
    impCode: string | null;
    /** The browser SDK of the configured provider (V1 iamport.js, V2 browser-sdk.js). */
    scriptUrl: string;
    demoPage: boolean;
  };
  admin: { apiKeys: string; /** Admin requests per key per 10 minutes. */ rateLimitPerKey: number };
  retention: {
    unusedVerificationDays: number;
    unfinishedVerificationHours: number;
    usedVerificationKeepHours: number;
    auditLogDays: number;
    finishedOutboxDays: number;
  };
  shutdownGraceMs: number;
  /** GET /metrics: `port` set, on a second listener only; `token` set, behind that bearer token. */
  metrics: { port: number | null; host: string; token: string | null };
  /** /docs and /docs-json (DOCS_ENABLED; unset: on outside production). */
  docsEnabled: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** What the defaults depend on besides the environment. */
export interface ConfigHost {
  /** Whether stdout is a terminal (LOG_FORMAT's default). */
  stdoutIsTTY: boolean;
}

/**
 * Validates the environment against the schema (env.schema.ts) and maps it to `AppConfig`.
 * @throws ConfigError listing every problem, values of URLs and keys never shown.
 */
export function loadAppConfig(env: Env = process.env, host: ConfigHost = { stdoutIsTTY: Boolean(process.stdout.isTTY) }): AppConfig {
  const vars = plainToInstance(EnvironmentVariables, declaredOnly(env), { exposeDefaultValues: true });
  const errors = validateSync(vars, { stopAtFirstError: true });
  const problems = errors.flatMap((error) => Object.values(error.constraints ?? {}));
  problems.push(...crossChecks(vars, new Set(errors.map((error) => error.property))));
  if (problems.length) throw new ConfigError(problems);

  const usingSandbox = vars.IAMPORT_IMP_KEY === undefined;
  const production = vars.NODE_ENV === 'production';
  const logFormat = vars.LOG_FORMAT ?? (vars.LOG_PRETTY !== undefined ? (vars.LOG_PRETTY ? 'pretty' : 'json') : host.stdoutIsTTY && !production ? 'pretty' : 'json');
  return {
    nodeEnv: vars.NODE_ENV,
    port: vars.PORT,
    host: vars.HOST,
    dataDir: resolve(vars.DATA_DIR),
    logLevel: vars.LOG_LEVEL,
    logFormat,
    logPretty: logFormat === 'pretty',
    trustProxy: vars.TRUST_PROXY,
    database: {
      url: vars.DATABASE_URL ?? null,
      poolSize: vars.DATABASE_POOL_SIZE,
      preparedStatements: vars.DATABASE_PREPARED_STATEMENTS,
    },
    redisUrl: vars.REDIS_URL ?? null,
    redisKeyPrefix: vars.REDIS_KEY_PREFIX,
    rateLimitOnRedisFailure: vars.RATE_LIMIT_ON_REDIS_FAILURE ?? null,
    iamport: {
      baseUrl: vars.IAMPORT_BASE_URL ?? (usingSandbox ? `http://127.0.0.1:${vars.SANDBOX_PORT}` : 'https://api.iamport.kr'),
      impKey: vars.IAMPORT_IMP_KEY ?? 'sandbox_imp_key',
      impSecret: vars.IAMPORT_IMP_SECRET ?? 'sandbox_imp_secret',
      timeoutMs: vars.IAMPORT_TIMEOUT_MS,
      callDeadlineMs: vars.IAMPORT_CALL_DEADLINE_MS,
      usingSandbox,
      company: vars.IAMPORT_COMPANY ?? null,
    },
    identityProvider: vars.IDENTITY_PROVIDER,
    portone: portoneConfig(vars),
    pii: { encryptionKeys: vars.PII_ENCRYPTION_KEYS ?? null, hmacKey: vars.PII_HMAC_KEY ?? null },
    otp: {
      ttlSeconds: vars.OTP_TTL_SECONDS,
      maxAttempts: vars.OTP_MAX_ATTEMPTS,
      sendLimitPerPhone: vars.OTP_SEND_LIMIT_PER_PHONE,
      sendLimitPerIp: vars.OTP_SEND_LIMIT_PER_IP,
      confirmLimitPerIp: vars.OTP_CONFIRM_LIMIT_PER_IP,
      failureLimitPerPhonePerDay: vars.OTP_FAILURE_LIMIT_PER_PHONE_PER_DAY,
    },
    signupLimitPerIp: vars.SIGNUP_LIMIT_PER_IP,
    verificationTokenTtlSeconds: vars.VERIFICATION_TOKEN_TTL_SECONDS,
    agePolicy: { minAge: vars.AGE_POLICY_MIN_AGE, mode: vars.AGE_POLICY_MODE },
    redirect: {
      successUrl: vars.CERTIFICATION_REDIRECT_SUCCESS_URL ?? null,
      failureUrl: vars.CERTIFICATION_REDIRECT_FAILURE_URL ?? null,
    },
    window: {
      claimWindowSeconds: vars.CERTIFICATION_CLAIM_WINDOW_SECONDS,
      startLimitPerIp: vars.WINDOW_START_LIMIT_PER_IP,
      redirectLimitPerIp: vars.REDIRECT_LIMIT_PER_IP,
      impCode: vars.IAMPORT_IMP_CODE ?? (usingSandbox ? 'imp00000000' : null),
      scriptUrl: windowScriptUrl(vars, usingSandbox),
      demoPage: vars.DEMO_PAGE ?? ((vars.IDENTITY_PROVIDER === 'portone' ? vars.PORTONE_API_SECRET === undefined : usingSandbox) && !production),
    },
    admin: { apiKeys: vars.ADMIN_API_KEYS, rateLimitPerKey: vars.ADMIN_RATE_LIMIT_PER_KEY },
    retention: {
      unusedVerificationDays: vars.RETENTION_UNUSED_VERIFICATION_DAYS,
      unfinishedVerificationHours: vars.RETENTION_UNFINISHED_VERIFICATION_HOURS,
      usedVerificationKeepHours: vars.SIGNUP_KEEP_VERIFICATION_PII_HOURS,
      auditLogDays: vars.RETENTION_AUDIT_LOG_DAYS,
      finishedOutboxDays: vars.RETENTION_FINISHED_OUTBOX_DAYS,
    },
    shutdownGraceMs: vars.SHUTDOWN_GRACE_MS,
    metrics: { port: vars.METRICS_PORT ?? null, host: vars.METRICS_HOST ?? vars.HOST, token: vars.METRICS_TOKEN ?? null },
    docsEnabled: vars.DOCS_ENABLED ?? !production,
  };
}

/** The browser SDK of the configured provider: V1 `iamport.js` or V2 `browser-sdk.js`. */
function windowScriptUrl(vars: EnvironmentVariables, usingSandbox: boolean): string {
  if (vars.IDENTITY_PROVIDER !== 'portone') {
    return vars.IAMPORT_SCRIPT_URL ?? defaultScriptUrl(vars.IAMPORT_BASE_URL ?? (usingSandbox ? `http://127.0.0.1:${vars.SANDBOX_PORT}` : null));
  }
  if (vars.PORTONE_SCRIPT_URL !== undefined) return vars.PORTONE_SCRIPT_URL;
  const baseUrl = portoneConfig(vars).baseUrl;
  if (new URL(baseUrl).hostname === 'api.portone.io') return 'https://cdn.portone.io/v2/browser-sdk.js';
  return `${baseUrl.replace(/\/+$/, '')}/v2/browser-sdk.js`;
}

/** The upstream's CDN script, or the sandbox's `/v1/iamport.js` when the api talks to another base URL. */
function defaultScriptUrl(baseUrl: string | null): string {
  if (baseUrl === null || new URL(baseUrl).hostname === 'api.iamport.kr') return 'https://cdn.iamport.kr/v1/iamport.js';
  return `${baseUrl.replace(/\/+$/, '')}/v1/iamport.js`;
}

const DECLARED = new Set(Object.keys(new EnvironmentVariables()));

/**
 * Only the schema's variables (not the whole process environment) go through the transformer;
 * an empty one is left out, so its default applies.
 */
function declaredOnly(env: Env): Env {
  const out: Env = {};
  for (const [name, value] of Object.entries(env)) {
    if (DECLARED.has(name) && value !== undefined && value.trim() !== '') out[name] = value;
  }
  return out;
}

/** Rules across variables, checked on values the schema accepted (`invalid`: the others). */
/** PortOne V2: the sandbox's V2 (its default secret, store and channel) when no secret is set, as for V1. */
function portoneConfig(vars: EnvironmentVariables): AppConfig['portone'] {
  const usingSandbox = vars.PORTONE_API_SECRET === undefined;
  return {
    baseUrl: vars.PORTONE_BASE_URL ?? (usingSandbox ? `http://127.0.0.1:${vars.SANDBOX_PORT}` : 'https://api.portone.io'),
    apiSecret: vars.PORTONE_API_SECRET ?? 'sandbox_portone_api_secret',
    storeId: vars.PORTONE_STORE_ID ?? (usingSandbox ? 'store-sandbox' : null),
    channelKey: vars.PORTONE_CHANNEL_KEY ?? 'channel-key-sandbox',
    usingSandbox,
  };
}

function crossChecks(vars: EnvironmentVariables, invalid: Set<string>): string[] {
  const problems: string[] = [];
  const hasKey = vars.IAMPORT_IMP_KEY !== undefined;
  if (hasKey !== (vars.IAMPORT_IMP_SECRET !== undefined)) {
    problems.push('IAMPORT_IMP_KEY and IAMPORT_IMP_SECRET must be set together');
  }
  problems.push(...productionProblems(vars, invalid));
  if (vars.DATABASE_URL !== undefined && !invalid.has('DATABASE_URL') && (vars.PII_ENCRYPTION_KEYS === undefined || vars.PII_HMAC_KEY === undefined)) {
    problems.push(
      'PII_ENCRYPTION_KEYS and PII_HMAC_KEY are required with DATABASE_URL ' +
        '(keys are only generated automatically for the embedded database)',
    );
  }
  if (vars.METRICS_PORT !== undefined && !invalid.has('METRICS_PORT') && !invalid.has('PORT') && vars.METRICS_PORT === vars.PORT) {
    problems.push('METRICS_PORT must differ from PORT (it is a second listener)');
  }
  const { IAMPORT_TIMEOUT_MS: timeout, IAMPORT_CALL_DEADLINE_MS: deadline } = vars;
  if (!invalid.has('IAMPORT_TIMEOUT_MS') && !invalid.has('IAMPORT_CALL_DEADLINE_MS') && deadline < timeout) {
    problems.push(`IAMPORT_CALL_DEADLINE_MS (${deadline}) must be >= IAMPORT_TIMEOUT_MS (${timeout})`);
  }
  return problems;
}
