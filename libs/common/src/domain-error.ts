/**
 * Base of every error the domain throws. Services throw subclasses with a stable `code`;
 * one exception filter in the api maps them to
 * `{"error": {code, message, details}, "request_id": ...}` with `status`.
 *
 * Never put personal data (name, phone, birth date, CI, DI, OTP) or secrets in `message`
 * or `details`: both reach the client and may reach logs.
 */
export abstract class DomainError extends Error {
  /** Stable machine-readable code, e.g. `OTP_MISMATCH`. */
  abstract readonly code: string;
  /** HTTP status the api answers with. */
  abstract readonly status: number;

  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
    /** Seconds for a `Retry-After` header (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  readonly status = 400;
  constructor(fields: Array<{ field: string; message: string }>) {
    super(
      `Invalid request: ${fields.map((f) => f.field).join(', ') || 'body'}`,
      { fields },
    );
  }
}
