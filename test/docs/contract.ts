/**
 * The REST contract of DESIGN.md (public, admin and operations tables) with the error codes of
 * docs/flows.md and docs/admin.md, per route and HTTP status, as the OpenAPI document must
 * list them. Paths are written the OpenAPI way (`{imp_uid}`).
 */
export interface RouteContract {
  success: number;
  /** HTTP status -> the error codes (`error.code`) the route answers with it. */
  errors: Record<number, string[]>;
  /** Admin routes: the scope the key needs (`x-required-scopes`). */
  scope?: string;
}

const UPSTREAM = { 502: ['UPSTREAM_ERROR'], 503: ['UPSTREAM_UNAVAILABLE'] };
const ADMIN_AUTH = { 401: ['UNAUTHORIZED'], 403: ['FORBIDDEN'] };

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
      429: ['OTP_ATTEMPTS_EXCEEDED', 'RATE_LIMITED'],
      ...UPSTREAM,
    },
  },
  'POST /certifications': {
    success: 200,
    errors: {
      400: ['VALIDATION_FAILED'],
      404: ['CERTIFICATION_NOT_FOUND'],
      409: ['ALREADY_CONFIRMED', 'NOT_CERTIFIED'],
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
  'GET /admin/users/{id}': { success: 200, scope: 'verifications:read', errors: { 400: ['VALIDATION_FAILED'], ...ADMIN_AUTH, 404: ['USER_NOT_FOUND'] } },
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

export interface OpenApiResponse {
  description?: string;
  content?: Record<string, { schema?: Record<string, unknown>; examples?: Record<string, { value: unknown }> }>;
  headers?: Record<string, unknown>;
  'x-error-codes'?: string[];
}

export interface OpenApiOperation {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, OpenApiResponse>;
  'x-required-scopes'?: string[];
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, { type?: string; required?: string[]; properties?: Record<string, Record<string, unknown>> }>;
    securitySchemes?: Record<string, { type: string; scheme?: string }>;
  };
}

/** `METHOD /path` of every operation of the document. */
export function operationsOf(doc: OpenApiDocument): Map<string, OpenApiOperation> {
  const out = new Map<string, OpenApiOperation>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) out.set(`${method.toUpperCase()} ${path}`, operation);
  }
  return out;
}

/** The example a client (Swagger UI's "Try it out") builds from a schema's property examples. */
export function exampleOf(doc: OpenApiDocument, ref: string): Record<string, unknown> {
  const schema = doc.components.schemas[ref.replace('#/components/schemas/', '')];
  return Object.fromEntries(
    Object.entries(schema.properties ?? {})
      .filter(([, p]) => p.example !== undefined)
      .map(([name, p]) => [name, p.example]),
  );
}
