/** The codes each public endpoint may answer with (DESIGN.md's contract, plus the generic ones). */
const GENERIC = ['VALIDATION_FAILED', 'RATE_LIMITED', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

export const CONTRACT: Record<string, { success: number[]; codes: string[] }> = {
  otpRequest: {
    success: [201],
    codes: [...GENERIC, 'IDENTITY_REJECTED', 'UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE'],
  },
  otpConfirm: {
    success: [200],
    codes: [
      ...GENERIC,
      'CERTIFICATION_NOT_FOUND',
      'OTP_MISMATCH',
      'OTP_EXPIRED',
      'OTP_ATTEMPTS_EXCEEDED',
      'ALREADY_CONFIRMED',
      'UPSTREAM_ERROR',
      'UPSTREAM_UNAVAILABLE',
    ],
  },
  popup: {
    success: [200],
    codes: [...GENERIC, 'CERTIFICATION_NOT_FOUND', 'NOT_CERTIFIED', 'ALREADY_CONFIRMED', 'UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE'],
  },
  signup: {
    success: [201],
    codes: [
      ...GENERIC,
      'AGE_RESTRICTED',
      'ALREADY_REGISTERED',
      'VERIFICATION_USED',
      'VERIFICATION_EXPIRED',
      'VERIFICATION_NOT_FOUND',
    ],
  },
};

export const STATUS_OF: Record<string, number> = {
  VALIDATION_FAILED: 400,
  OTP_MISMATCH: 400,
  NOT_FOUND: 404,
  CERTIFICATION_NOT_FOUND: 404,
  VERIFICATION_NOT_FOUND: 404,
  AGE_RESTRICTED: 403,
  ALREADY_CONFIRMED: 409,
  NOT_CERTIFIED: 409,
  ALREADY_REGISTERED: 409,
  VERIFICATION_USED: 409,
  OTP_EXPIRED: 410,
  VERIFICATION_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDENTITY_REJECTED: 422,
  RATE_LIMITED: 429,
  OTP_ATTEMPTS_EXCEEDED: 429,
  UPSTREAM_ERROR: 502,
  UPSTREAM_UNAVAILABLE: 503,
};

/**
 * Why an answer breaks the contract of `endpoint`, or null: a success status, or the error
 * envelope `{error: {code, message}, request_id}` with a code of the endpoint and its status;
 * 429 and 503 carry Retry-After.
 */
export function contractViolation(
  endpoint: keyof typeof CONTRACT,
  answer: { status: number; body: unknown; headers: { get(name: string): string | null } },
): string | null {
  const spec = CONTRACT[endpoint];
  if (spec.success.includes(answer.status)) return null;
  const body = answer.body as { error?: { code?: unknown; message?: unknown }; request_id?: unknown } | null;
  const code = body?.error?.code;
  if (typeof code !== 'string') return `status ${answer.status} without an error envelope: ${JSON.stringify(answer.body)?.slice(0, 200)}`;
  if (!spec.codes.includes(code)) return `code ${code} (status ${answer.status}) is not in the contract of ${endpoint}`;
  if (STATUS_OF[code] !== answer.status) return `code ${code} with status ${answer.status}`;
  if (typeof body?.error?.message !== 'string' || typeof body?.request_id !== 'string') return `incomplete envelope for ${code}`;
  if ((answer.status === 429 || answer.status === 503) && !/^\d+$/.test(answer.headers.get('retry-after') ?? '')) {
    return `${answer.status} ${code} without Retry-After`;
  }
  return null;
}
