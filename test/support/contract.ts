/**
 * The REST contract (README's routes, the error codes of docs/flows.md and docs/admin.md) per
 * route and HTTP status. Paths are written the OpenAPI way (`{imp_uid}`).
 */
export interface RouteContract {
  success: number;
  /** HTTP status -> the error codes (`error.code`) the route answers with it. */
  errors: Record<number, string[]>;
  /** Admin routes: the scope the key needs (`x-required-scopes`). */
  scope?: string;
}

const UPSTREAM = { 502: ['UPSTREAM_ERROR'], 503: ['UPSTREAM_UNAVAILABLE'] };
const ADMIN_AUTH = { 401: ['UNAUTHORIZED'], 403: ['FORBIDDEN'], 429: ['RATE_LIMITED'] };

export const CONTRACT: Record<string, RouteContract> = {
  // public
  'POST /certifications/otp/request': {
    success: 201,
    errors: { 400: ['VALIDATION_FAILED'], 422: ['IDENTITY_REJECTED'], 429: ['RATE_LIMITED'], ...UPSTREAM },
  },
  'POST /certifications/otp/confirm/{imp_uid}': {
    success: 200,
    errors: {
      400: ['OTP_MISMATCH', 'VALIDATION_FAILED'],
      404: ['CERTIFICATION_NOT_FOUND'],
      409: ['ALREADY_CONFIRMED'],
      410: ['OTP_EXPIRED'],
      422: ['IDENTITY_KEY_MISSING'],
      429: ['OTP_ATTEMPTS_EXCEEDED', 'RATE_LIMITED'],
      ...UPSTREAM,
    },
  },
  'POST /certifications/otp/resend/{imp_uid}': {
    success: 201,
    errors: {
      400: ['VALIDATION_FAILED'],
      404: ['CERTIFICATION_NOT_FOUND'],
      410: ['OTP_EXPIRED'],
      422: ['IDENTITY_REJECTED'],
      429: ['OTP_ATTEMPTS_EXCEEDED', 'RATE_LIMITED'],
      ...UPSTREAM,
    },
  },
  'POST /certifications/window': { success: 201, errors: { 429: ['RATE_LIMITED'] } },
  'POST /certifications': {
    success: 200,
    errors: {
      400: ['VALIDATION_FAILED'],
      403: ['FLOW_MISMATCH'],
      404: ['CERTIFICATION_NOT_FOUND'],
      409: ['ALREADY_CONFIRMED', 'FLOW_ALREADY_CLAIMED', 'NOT_CERTIFIED'],
      410: ['FLOW_EXPIRED'],
      422: ['IDENTITY_KEY_MISSING'],
      429: ['RATE_LIMITED'],
      ...UPSTREAM,
    },
  },
  'GET /certifications/redirect': { success: 302, errors: {} },
  'POST /users': {
    success: 201,
    errors: {
      400: ['VALIDATION_FAILED'],
      403: ['AGE_RESTRICTED'],
      404: ['VERIFICATION_NOT_FOUND'],
      409: ['ALREADY_REGISTERED', 'VERIFICATION_USED'],
      410: ['VERIFICATION_EXPIRED'],
      429: ['RATE_LIMITED'],
    },
  },
  // admin
  'GET /admin/certifications': { success: 200, scope: 'verifications:read', errors: { 400: ['VALIDATION_FAILED'], ...ADMIN_AUTH } },
  'GET /admin/certifications/{imp_uid}': {
    success: 200,
    scope: 'verifications:read',
    errors: { 400: ['VALIDATION_FAILED'], ...ADMIN_AUTH, 404: ['CERTIFICATION_NOT_FOUND'] },
  },
  'DELETE /admin/certifications/{imp_uid}': {
    success: 200,
    scope: 'verifications:erase',
    errors: { 400: ['VALIDATION_FAILED'], ...ADMIN_AUTH, 404: ['CERTIFICATION_NOT_FOUND'] },
  },
  'GET /admin/users/{id}': { success: 200, scope: 'verifications:read', errors: { 400: ['VALIDATION_FAILED'], ...ADMIN_AUTH, 404: ['ACCOUNT_ERASED', 'USER_NOT_FOUND'] } },
  'DELETE /admin/users/{id}': { success: 200, scope: 'users:erase', errors: { 400: ['VALIDATION_FAILED'], ...ADMIN_AUTH, 404: ['ACCOUNT_ERASED', 'USER_NOT_FOUND'] } },
  'GET /admin/users/{id}/export': { success: 200, scope: 'pii:reveal', errors: { 400: ['VALIDATION_FAILED'], ...ADMIN_AUTH, 404: ['ACCOUNT_ERASED', 'USER_NOT_FOUND'] } },
  'GET /admin/users': { success: 200, scope: 'verifications:read', errors: { 400: ['VALIDATION_FAILED'], ...ADMIN_AUTH, 404: ['USER_NOT_FOUND'] } },
  'GET /admin/audit-log': { success: 200, scope: 'audit:read', errors: { 400: ['VALIDATION_FAILED'], ...ADMIN_AUTH } },
  // operations
  'GET /health/live': { success: 200, errors: {} },
  'GET /health/ready': { success: 200, errors: {} },
  'GET /metrics': { success: 200, errors: {} },
};

/** Codes any route may also document: answered by the HTTP layer or for the unexpected. */
export const GENERIC_ERRORS: Record<number, string[]> = {
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  500: ['INTERNAL_ERROR'],
};

/** The public endpoints the resilience tests name, by route. */
const ENDPOINT_ROUTES = {
  otpRequest: 'POST /certifications/otp/request',
  otpConfirm: 'POST /certifications/otp/confirm/{imp_uid}',
  popup: 'POST /certifications',
  signup: 'POST /users',
} as const;

/** Codes any public endpoint may answer besides its own: the HTTP layer's (a 500 is never in the contract). */
const HTTP_LAYER = { 404: ['NOT_FOUND'], 413: ['PAYLOAD_TOO_LARGE'], 415: ['UNSUPPORTED_MEDIA_TYPE'] };

type Endpoint = keyof typeof ENDPOINT_ROUTES;

/** The route's codes by status, the HTTP layer's added. */
function errorsOf(endpoint: Endpoint): Array<[number, string]> {
  const own = Object.entries(CONTRACT[ENDPOINT_ROUTES[endpoint]].errors);
  return [...own, ...Object.entries(HTTP_LAYER)].flatMap(([status, codes]) => codes.map((code): [number, string] => [Number(status), code]));
}

/** Per endpoint: its success status and every code it may answer with, from CONTRACT. */
export const ENDPOINT_CONTRACT = Object.fromEntries(
  Object.entries(ENDPOINT_ROUTES).map(([endpoint, route]) => [
    endpoint,
    { success: [CONTRACT[route].success], codes: [...new Set(errorsOf(endpoint as Endpoint).map(([, code]) => code))] },
  ]),
) as Record<Endpoint, { success: number[]; codes: string[] }>;

function statusOf(endpoint: Endpoint, code: string): number | undefined {
  return errorsOf(endpoint).find(([, c]) => c === code)?.[0];
}

/**
 * Why an answer breaks the contract of `endpoint`, or null: a success status, or the error
 * envelope `{error: {code, message}, request_id}` with a code of the endpoint and its status;
 * 429 and 503 carry Retry-After.
 */
export function contractViolation(
  endpoint: Endpoint,
  answer: { status: number; body: unknown; headers: { get(name: string): string | null } },
): string | null {
  const spec = ENDPOINT_CONTRACT[endpoint];
  if (spec.success.includes(answer.status)) return null;
  const body = answer.body as { error?: { code?: unknown; message?: unknown }; request_id?: unknown } | null;
  const code = body?.error?.code;
  if (typeof code !== 'string') return `status ${answer.status} without an error envelope: ${JSON.stringify(answer.body)?.slice(0, 200)}`;
  if (!spec.codes.includes(code)) return `code ${code} (status ${answer.status}) is not in the contract of ${endpoint}`;
  if (statusOf(endpoint, code) !== answer.status) return `code ${code} with status ${answer.status}`;
  if (typeof body?.error?.message !== 'string' || typeof body?.request_id !== 'string') return `incomplete envelope for ${code}`;
  if ((answer.status === 429 || answer.status === 503) && !/^\d+$/.test(answer.headers.get('retry-after') ?? '')) {
    return `${answer.status} ${code} without Retry-After`;
  }
  return null;
}
