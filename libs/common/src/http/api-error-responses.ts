import { ApiExtraModels, ApiProperty, ApiPropertyOptional, DECORATORS, getSchemaPath } from '@nestjs/swagger';
import { DomainError, ValidationFailedError } from '../domain-error';
import { InternalError, PayloadTooLargeError, RateLimitedError, UnsupportedMediaTypeError } from './error-codes';

/**
 * OpenAPI description of a route's error answers, one response per status with `x-error-codes`:
 *
 *   @ApiErrorResponses(apiValidationFailed([...]), { error: new OtpMismatchError(4), description: '...' }, new OtpExpiredError())
 *
 * Cases are real DomainError instances, so the documentation cannot drift from the error classes;
 * a 500 INTERNAL_ERROR is always added. Repeatable, on a method or a class (the cases add up).
 */
export function ApiErrorResponses(...cases: ApiErrorCaseInput[]): MethodDecorator & ClassDecorator {
  const incoming = cases.map(toCase);
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder: object = descriptor ? descriptor.value : target;
    const extraModels = ApiExtraModels(ErrorEnvelope, ErrorInfo) as (t: object, k?: string | symbol, d?: PropertyDescriptor) => unknown;
    extraModels(target, key, descriptor);
    const previous: ApiErrorCase[] = Reflect.getMetadata(API_ERROR_CASES_METADATA, holder) ?? [];
    const all = dedupe([...previous, ...incoming, ...(hasStatus([...previous, ...incoming], 500) ? [] : [INTERNAL_ERROR_CASE])]);
    Reflect.defineMetadata(API_ERROR_CASES_METADATA, all, holder);
    const responses: Record<string, unknown> = { ...(Reflect.getMetadata(DECORATORS.API_RESPONSE, holder) ?? {}) };
    for (const [status, group] of groupByStatus(all)) responses[String(status)] = responseEntry(group);
    Reflect.defineMetadata(DECORATORS.API_RESPONSE, responses, holder);
    return descriptor ?? target;
  }) as MethodDecorator & ClassDecorator;
}

/** One documented error: a DomainError instance, and when it happens (default: its message). */
export interface ApiErrorCase {
  error: DomainError;
  description?: string;
}

export type ApiErrorCaseInput = DomainError | ApiErrorCase;

/** The OpenAPI extension on each error response listing its codes. */
export const API_ERROR_CODES_EXTENSION = 'x-error-codes';

/** Metadata key holding the cases of a route (or class), for tools that want them. */
export const API_ERROR_CASES_METADATA = 'app:api-error-cases';

/** `error` of the error body. */
export class ErrorInfo {
  @ApiProperty({ description: 'Stable machine-readable error code', example: 'VALIDATION_FAILED' })
  code: string;

  @ApiProperty({
    description: 'Human-readable explanation (English). Never contains personal data, an OTP or a token.',
    example: 'Invalid request: phone',
  })
  message: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Code-specific facts: `fields: [{field, message}]` (VALIDATION_FAILED), `attempts_left` (OTP_MISMATCH), ' +
      '`max_attempts` (OTP_ATTEMPTS_EXCEEDED), `min_age` and `policy` (AGE_RESTRICTED), `required_scopes` (FORBIDDEN), ' +
      '`reason` (UPSTREAM_UNAVAILABLE), `upstream_status` / `upstream_code` / `upstream_message` (UPSTREAM_ERROR), ...',
    example: { fields: [{ field: 'phone', message: 'phone must be a Korean mobile number (e.g. 010-1234-5678 or +82 10 1234 5678)' }] },
  })
  details?: Record<string, unknown>;
}

/** Every error answer of the api: `{"error": {code, message, details}, "request_id"}`. */
export class ErrorEnvelope {
  @ApiProperty({ type: () => ErrorInfo })
  error: ErrorInfo;

  @ApiProperty({
    description: 'Id of the request, also sent as the `x-request-id` header and written on its log lines',
    example: '3c8d19ec-d565-4d49-a7bf-a9d47f5b708f',
  })
  request_id: string;
}

/** 400 VALIDATION_FAILED with the given fields as the example (`details.fields`). */
export function apiValidationFailed(
  fields: Array<{ field: string; message: string }>,
  description = 'the request is invalid: unknown fields, wrong types or bad values; `details.fields: [{field, message}]` names each one (values are never echoed)',
): ApiErrorCase {
  return { error: new ValidationFailedError(fields), description };
}

/** 429 RATE_LIMITED of the host's rate limits (with `Retry-After`). */
export function apiRateLimited(
  description = 'a rate limit of the api was reached (per client IP, or per phone number for OTP requests); retry after `Retry-After` seconds',
): ApiErrorCase {
  return { error: new RateLimitedError(60), description };
}

/** 413 / 415 of routes with a JSON body (answered by the HTTP layer, in the same error shape). */
export const API_JSON_BODY_ERRORS: readonly ApiErrorCase[] = Object.freeze([
  { error: new PayloadTooLargeError('Request body too large'), description: 'the body is larger than the server accepts' },
  {
    error: new UnsupportedMediaTypeError('Unsupported content type; send application/json'),
    description: 'the body is not `application/json`',
  },
]);

const INTERNAL_ERROR_CASE: ApiErrorCase = {
  error: new InternalError(),
  description: 'an unexpected error (logged by class name with the request id; no detail is shown)',
};

const EXAMPLE_REQUEST_ID = '3c8d19ec-d565-4d49-a7bf-a9d47f5b708f';

function toCase(input: ApiErrorCaseInput): ApiErrorCase {
  const error = input instanceof DomainError ? input : input?.error;
  if (!(error instanceof DomainError)) {
    throw new TypeError('ApiErrorResponses: each case is a DomainError instance or { error: DomainError, description? }');
  }
  return input instanceof DomainError ? { error } : { error, description: input.description };
}

function hasStatus(cases: ApiErrorCase[], status: number): boolean {
  return cases.some((c) => c.error.status === status);
}

/** One case per code and status (a later case replaces an earlier one of the same code). */
function dedupe(cases: ApiErrorCase[]): ApiErrorCase[] {
  const byKey = new Map<string, ApiErrorCase>();
  for (const c of cases) {
    const key = `${c.error.status} ${c.error.code}`;
    byKey.delete(key);
    byKey.set(key, c);
  }
  return [...byKey.values()];
}

function groupByStatus(cases: ApiErrorCase[]): Map<number, ApiErrorCase[]> {
  const groups = new Map<number, ApiErrorCase[]>();
  for (const c of cases) groups.set(c.error.status, [...(groups.get(c.error.status) ?? []), c]);
  return groups;
}

function responseEntry(group: ApiErrorCase[]): Record<string, unknown> {
  const codes = group.map((c) => c.error.code);
  const headers: Record<string, unknown> = {
    'x-request-id': { description: 'The request id (same as `request_id`)', schema: { type: 'string' } },
  };
  if (group.some((c) => c.error.retryAfterSeconds !== undefined)) {
    headers['Retry-After'] = { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } };
  }
  return {
    description: `Error code${codes.length > 1 ? 's' : ''} (\`error.code\`):\n\n${group
      .map((c) => `- \`${c.error.code}\`: ${c.description ?? c.error.message}`)
      .join('\n')}`,
    schema: {
      allOf: [
        { $ref: getSchemaPath(ErrorEnvelope) },
        { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string', enum: codes } } } } },
      ],
    },
    examples: Object.fromEntries(
      group.map((c) => [
        c.error.code,
        {
          summary: c.error.code,
          value: {
            error: {
              code: c.error.code,
              message: c.error.message,
              ...(c.error.details ? { details: c.error.details } : {}),
            },
            request_id: EXAMPLE_REQUEST_ID,
          },
        },
      ]),
    ),
    headers,
    [API_ERROR_CODES_EXTENSION]: codes,
  };
}
