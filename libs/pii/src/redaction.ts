/**
 * Log redaction. pino `redact` paths cannot say "this key at any depth", so the sensitive keys are
 * listed per depth (wildcards cost per line: see docs/operations.md); a URL is one string to pino,
 * so its query is cleaned with `redactUrl`, and deep structures go through `redactObject` first.
 */

export const PII_REDACTED = '[REDACTED]';

/**
 * Field names that must never be logged with their value, as they appear in the upstream
 * API, our REST API, HTTP headers and config (snake_case and camelCase spellings).
 */
export const PII_SENSITIVE_KEYS: readonly string[] = Object.freeze([
  // personal data
  'name',
  'phone',
  'phone_number',
  'phoneNumber',
  'birth',
  'birthday',
  'birth_date',
  'birthDate',
  'gender_digit',
  'genderDigit',
  'otp',
  'unique_key',
  'uniqueKey',
  'unique_in_site',
  'uniqueInSite',
  'ci',
  'di',
  // tokens and secrets
  'verification_token',
  'verificationToken',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'token',
  'imp_key',
  'impKey',
  'imp_secret',
  'impSecret',
  'api_key',
  'apiKey',
  'password',
  'secret',
  'encryptionKeys',
  'hmacKey',
  // HTTP headers (node lower-cases incoming header names)
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
]);

const SAFE_IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function segment(key: string, first: boolean): string {
  if (SAFE_IDENTIFIER.test(key)) return first ? key : `.${key}`;
  return `["${key}"]`;
}

/** Credentials in pino-http's serialized req/res, spelled out so every depth setting has them. */
const HEADER_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

/**
 * pino `redact` paths for every `PII_SENSITIVE_KEYS` name at the top level and under up to
 * `maxDepth` (0, 1 or 2) wildcard levels (`name`, `*.name`, `*.*.name`), plus the header paths
 * above. Deeper wildcards cost more per log line.
 */
export function buildPiiRedactPaths(maxDepth: 0 | 1 | 2 = 2): string[] {
  if (![0, 1, 2].includes(maxDepth)) throw new RangeError('maxDepth must be 0, 1 or 2');
  const paths = [...HEADER_PATHS];
  for (const key of PII_SENSITIVE_KEYS) {
    paths.push(segment(key, true));
    if (maxDepth >= 1) paths.push(`*${segment(key, false)}`);
    if (maxDepth >= 2) paths.push(`*.*${segment(key, false)}`);
  }
  return paths;
}

/** Paths in the syntax of pino's `redact` option, depth 2. */
export const PII_LOG_REDACT_PATHS: readonly string[] = Object.freeze(buildPiiRedactPaths(2));

/** Lower case without `_` and `-`, so `uniqueKey`, `unique_key` and `Unique-Key` are one name. */
function canonical(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

const SENSITIVE = new Set(PII_SENSITIVE_KEYS.map(canonical));
/** `redactObject` also treats any key ending with one of these as a secret (`csrf_token`, `client_secret`). */
const SENSITIVE_SUFFIXES = ['token', 'secret', 'password', 'apikey'];

/**
 * Whether `redactObject` redacts a key: a `PII_SENSITIVE_KEYS` name in any case and with or
 * without `_`/`-`, or a name ending in token, secret, password or api key.
 */
export function isSensitiveKey(key: string): boolean {
  const c = canonical(key);
  return SENSITIVE.has(c) || SENSITIVE_SUFFIXES.some((suffix) => c.endsWith(suffix));
}

/**
 * A URL (path + query, as in `req.url`) with the value of every sensitive query parameter
 * (`isSensitiveKey`) replaced by `[REDACTED]`: `/admin/certifications?phone=010...&limit=5` ->
 * `/admin/certifications?phone=[REDACTED]&limit=5`. The path and other parameters are kept
 * as they are; a fragment is dropped. Use it in the pino-http `req` serializer.
 */
export function redactUrl(url: string): string {
  if (typeof url !== 'string') return url;
  const withoutFragment = url.split('#', 1)[0];
  const queryStart = withoutFragment.indexOf('?');
  if (queryStart === -1) return withoutFragment;
  const query = withoutFragment
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name: string;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        name = rawName;
      }
      // `phone[]=` and `user[phone]=` (qs syntax) count as `phone`
      const leaf = /([^[\]]+)\]?(?:\[\])?$/.exec(name)?.[1] ?? name;
      return isSensitiveKey(name) || isSensitiveKey(leaf) ? `${rawName}=${PII_REDACTED}` : pair;
    })
    .join('&');
  return `${withoutFragment.slice(0, queryStart)}?${query}`;
}

const MAX_DEPTH = 32;

/**
 * A deep copy of `value` in which the value of every sensitive key (`isSensitiveKey`), at any
 * depth, in objects and in objects inside arrays, is replaced by `'[REDACTED]'` (whatever its
 * type). The input is not modified. Plain objects, arrays, class instances (own enumerable
 * properties) and errors (`name`, `message`, `stack` plus own properties) are copied; `Map`
 * becomes an object of its string keys; dates, buffers and other values are kept as they are.
 * Cycles become `'[Circular]'`, structures deeper than 32 levels `'[Truncated]'`.
 * An `Error`'s own `name` is kept (it is the class name, not a person's).
 */
export function redactObject<T>(value: T): T {
  return redact(value, new WeakSet<object>(), 0) as T;
}

function redact(value: unknown, ancestors: WeakSet<object>, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof RegExp) {
    return value;
  }
  if (ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((item) => redact(item, ancestors, depth + 1));
    }
    const out: Record<string, unknown> = {};
    const copy = (key: string, item: unknown): void => {
      // defineProperty, not assignment: a JSON-parsed own `__proto__` key must stay a key.
      Object.defineProperty(out, key, {
        value: isSensitiveKey(key) ? PII_REDACTED : redact(item, ancestors, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    };
    if (value instanceof Map) {
      for (const [key, item] of value) if (typeof key === 'string') copy(key, item);
      return out;
    }
    const isError = value instanceof Error;
    if (isError) {
      out.name = value.name;
      out.message = value.message;
      if (value.stack !== undefined) out.stack = value.stack;
    }
    for (const key of Object.keys(value)) {
      if (isError && (key === 'name' || key === 'message' || key === 'stack')) continue;
      copy(key, (value as Record<string, unknown>)[key]);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
