import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, ValidateBy, type ValidationArguments } from 'class-validator';
import { parseTrustProxy, type TrustProxy } from './trust-proxy';

/**
 * The api's environment variables: one class-validator schema, converted by class-transformer
 * (strings to numbers and booleans; an empty value counts as unset, so the default applies).
 * `loadAppConfig` validates it once at boot and maps it to the typed `AppConfig`.
 * Messages never show the value of a URL or key: they can carry passwords.
 */

/** pino's levels plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['pretty', 'json'] as const;
export const AGE_MODES = ['international', 'calendar-year'] as const;
/** What the rate limiter does while Redis does not answer (see rate-limit/redis-failure.ts). */
export const REDIS_FAILURE_MODES = ['fail-closed', 'local'] as const;
export const IDENTITY_PROVIDERS = ['iamport', 'portone'] as const;

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

const shown = (value: unknown) => `"${String(value)}"`;

/** A class-validator constraint whose message is built from the variable's name and value. */
function rule(name: string, validate: (value: unknown) => boolean, message: (property: string, value: unknown) => string): PropertyDecorator {
  return ValidateBy({
    name,
    validator: { validate, defaultMessage: (args?: ValidationArguments) => message(args?.property ?? '?', args?.value) },
  });
}

function Text(): PropertyDecorator {
  return applyDecorators(Transform(({ value }) => text(value)), IsOptional());
}

function Int(min: number, max: number): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => {
      const raw = text(value);
      return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : raw;
    }),
    IsOptional(),
    rule(
      'intInRange',
      (value) => typeof value === 'number' && value >= min && value <= max,
      (name, value) =>
        typeof value === 'number'
          ? `${name} must be between ${min} and ${max} (got ${value})`
          : `${name} must be an integer between ${min} and ${max} (got ${shown(value)})`,
    ),
  );
}

function Bool(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => {
      const raw = text(value);
      if (raw === undefined) return undefined;
      return TRUE.test(raw) ? true : FALSE.test(raw) ? false : raw;
    }),
    IsOptional(),
    rule('boolean', (value) => typeof value === 'boolean', (name, value) => `${name} must be true or false (got ${shown(value)})`),
  );
}

/** A URL of one of `protocols` (`http:`, `postgres:`, ...). */
function Url(protocols: string[]): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => text(value)),
    IsOptional(),
    rule(
      'url',
      (value) => typeof value === 'string' && URL.canParse(value) && protocols.includes(new URL(value).protocol),
      // Never echo the value: a database or Redis URL can carry a password.
      (name) => `${name} must be a ${protocols.join(' or ')} URL`,
    ),
  );
}

/** One of `values`; `lowercase`: compared in lower case (LOG_LEVEL=INFO). */
function OneOf(values: readonly string[], options: { lowercase?: boolean } = {}): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => {
      const raw = text(value);
      return options.lowercase ? raw?.toLowerCase() : raw;
    }),
    IsOptional(),
    rule(
      'oneOf',
      (value) => typeof value === 'string' && values.includes(value),
      (name, value) => `${name} must be one of ${values.map(shown).join(', ')} (got ${shown(value)})`,
    ),
  );
}

/** TRUST_PROXY (trust-proxy.ts); `true` is refused when NODE_ENV=production. */
function TrustProxySetting(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => {
      const raw = text(value);
      return raw === undefined ? undefined : (parseTrustProxy(raw) ?? raw);
    }),
    IsOptional(),
    ValidateBy({
      name: 'trustProxy',
      validator: {
        validate: (value, args) => typeof value !== 'string' && !(value === true && (args?.object as { NODE_ENV?: unknown }).NODE_ENV === 'production'),
        defaultMessage: (args?: ValidationArguments) =>
          args?.value === true
            ? `${args.property}=true trusts every X-Forwarded-For hop, so clients choose their own IP: refused when NODE_ENV=production; set the number of proxies in front (e.g. 1) or their addresses`
            : `${args?.property ?? '?'} must be true or false, a hop count, or a comma-separated list of proxy addresses or CIDR ranges (got ${shown(args?.value)})`,
      },
    }),
  );
}

function Matching(pattern: RegExp, description: string): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => text(value)),
    IsOptional(),
    rule('matching', (value) => typeof value === 'string' && pattern.test(value), (name) => `${name} must be ${description}`),
  );
}

/**
 * Every variable the api reads, with its default (applied when unset or empty). Variables whose
 * default depends on others (IAMPORT_BASE_URL, LOG_FORMAT) have none here: `loadAppConfig`
 * derives it.
 */
export class EnvironmentVariables {
  // Every property has an initializer (undefined for the optional ones): the own keys of an
  // instance are the list of variables the api reads.
  @Text() NODE_ENV: string = 'development';
  @Int(0, 65535) PORT: number = 3000;
  @Text() HOST: string = '0.0.0.0';
  @Text() DATA_DIR: string = './.data';

  @OneOf(LOG_LEVELS, { lowercase: true }) LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
  /** Unset: pretty when stdout is a terminal and NODE_ENV is not production, JSON otherwise. */
  @OneOf(LOG_FORMATS, { lowercase: true }) LOG_FORMAT?: (typeof LOG_FORMATS)[number] = undefined;
  /** Older spelling of LOG_FORMAT=pretty (true) / json (false); LOG_FORMAT wins. */
  @Bool() LOG_PRETTY?: boolean = undefined;

  @TrustProxySetting() TRUST_PROXY: TrustProxy = false;

  @Url(['postgres:', 'postgresql:']) DATABASE_URL?: string = undefined;
  @Int(1, 200) DATABASE_POOL_SIZE: number = 10;
  @Bool() DATABASE_PREPARED_STATEMENTS: boolean = true;

  @Url(['redis:', 'rediss:']) REDIS_URL?: string = undefined;
  @Matching(/^[A-Za-z0-9:_.-]{1,64}$/, '1-64 characters of letters, digits and ":_.-"') REDIS_KEY_PREFIX: string = 'iamport-backend:';
  /** Unset: fail-closed for OTP sends, local for the other limits. */
  @OneOf(REDIS_FAILURE_MODES, { lowercase: true }) RATE_LIMIT_ON_REDIS_FAILURE?: (typeof REDIS_FAILURE_MODES)[number] = undefined;

  @Text() IAMPORT_IMP_KEY?: string = undefined;
  @Text() IAMPORT_IMP_SECRET?: string = undefined;
  @Url(['http:', 'https:']) IAMPORT_BASE_URL?: string = undefined;
  /** Production only: accept an http: IAMPORT_BASE_URL (a TLS-terminating proxy on a private network). */
  @Bool() ALLOW_INSECURE_UPSTREAM: boolean = false;
  @Int(1, 65535) SANDBOX_PORT: number = 4010;
  @Int(100, 60000) IAMPORT_TIMEOUT_MS: number = 5000;
  @Int(1000, 60000) IAMPORT_CALL_DEADLINE_MS: number = 12000;
  @Text() IAMPORT_COMPANY?: string = undefined;

  @OneOf(IDENTITY_PROVIDERS, { lowercase: true }) IDENTITY_PROVIDER: (typeof IDENTITY_PROVIDERS)[number] = 'iamport';
  @Text() PORTONE_API_SECRET?: string = undefined;
  @Text() PORTONE_STORE_ID?: string = undefined;
  @Text() PORTONE_CHANNEL_KEY?: string = undefined;
  @Url(['http:', 'https:']) PORTONE_BASE_URL?: string = undefined;

  @Text() PII_ENCRYPTION_KEYS?: string = undefined;
  @Text() PII_HMAC_KEY?: string = undefined;

  @Int(30, 600) OTP_TTL_SECONDS: number = 180;
  @Int(1, 10) OTP_MAX_ATTEMPTS: number = 5;
  @Int(1, 1000) OTP_SEND_LIMIT_PER_PHONE: number = 5;
  @Int(1, 100000) OTP_SEND_LIMIT_PER_IP: number = 20;
  @Int(1, 100000) OTP_CONFIRM_LIMIT_PER_IP: number = 60;
  // NIST SP 800-63B 5.2.2: at most 100 failed attempts per subscriber
  @Int(1, 100) OTP_FAILURE_LIMIT_PER_PHONE_PER_DAY: number = 20;
  @Int(1, 100000) SIGNUP_LIMIT_PER_IP: number = 30;
  @Int(60, 86400) VERIFICATION_TOKEN_TTL_SECONDS: number = 1800;

  @Int(0, 150) AGE_POLICY_MIN_AGE: number = 14;
  @OneOf(AGE_MODES) AGE_POLICY_MODE: (typeof AGE_MODES)[number] = 'international';

  @Url(['http:', 'https:']) CERTIFICATION_REDIRECT_SUCCESS_URL?: string = undefined;
  @Url(['http:', 'https:']) CERTIFICATION_REDIRECT_FAILURE_URL?: string = undefined;

  // Browser window flows (docs/flows.md): the claim window, their limits, what the page loads.
  @Int(1, 86400) CERTIFICATION_CLAIM_WINDOW_SECONDS: number = 600;
  @Int(1, 100000) WINDOW_START_LIMIT_PER_IP: number = 30;
  @Int(1, 100000) REDIRECT_LIMIT_PER_IP: number = 60;
  @Matching(/^[A-Za-z0-9_-]{1,40}$/, '1-40 letters, digits, _ or -') IAMPORT_IMP_CODE?: string = undefined;
  @Url(['http:', 'https:']) IAMPORT_SCRIPT_URL?: string = undefined;
  /** IDENTITY_PROVIDER=portone: the V2 browser SDK the demo page loads. */
  @Url(['http:', 'https:']) PORTONE_SCRIPT_URL?: string = undefined;
  /** Unset: on with the local sandbox outside production. */
  @Bool() DEMO_PAGE?: boolean = undefined;

  @Text() ADMIN_API_KEYS: string = '';
  @Int(1, 100000) ADMIN_RATE_LIMIT_PER_KEY: number = 300;
  @Int(1, 3650) RETENTION_UNUSED_VERIFICATION_DAYS: number = 30;
  @Int(1, 87600) RETENTION_UNFINISHED_VERIFICATION_HOURS: number = 24;
  @Int(0, 87600) SIGNUP_KEEP_VERIFICATION_PII_HOURS: number = 0;
  @Int(365, 36500) RETENTION_AUDIT_LOG_DAYS: number = 365; // the audit trigger refuses younger deletes
  @Int(1, 36500) RETENTION_FINISHED_OUTBOX_DAYS: number = 30;
  @Int(0, 120000) SHUTDOWN_GRACE_MS: number = 10000;

  /** Set: GET /metrics only on this second listener, not on PORT. */
  @Int(1, 65535) METRICS_PORT?: number = undefined;
  /** Unset: HOST. */
  @Text() METRICS_HOST?: string = undefined;
  /** Set: GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
  @Matching(/^[\x21-\x7e]{16,256}$/, '16-256 printable characters without spaces') METRICS_TOKEN?: string = undefined;
  /** Unset: the OpenAPI document and Swagger UI are served outside production only. */
  @Bool() DOCS_ENABLED?: boolean = undefined;
}
