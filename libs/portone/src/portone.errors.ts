/**
 * Errors of PortOneClient. The API's error types keep the SDK's names (`IdentityVerificationNotFoundError`,
 * `PgProviderError`, ...); messages carry our words, the error `type` and the upstream's redacted message, never a
 * secret, a request value or a `cause`.
 */
export type PortOneOperation = 'send' | 'confirm' | 'resend' | 'get' | 'list';

export class PortOneCallError extends Error {
  constructor(
    message: string,
    readonly operation: PortOneOperation,
    /** Transient: another attempt later may succeed. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The API answered a typed error body `{type, message}`. */
export class PortOneApiError extends PortOneCallError {
  constructor(
    operation: PortOneOperation,
    /** The body's `type`, e.g. `IDENTITY_VERIFICATION_NOT_FOUND`. */
    readonly type: string,
    /** Redacted. */
    readonly upstreamMessage: string | undefined,
    retryable = false,
  ) {
    super(`PortOne ${operation} failed: ${type}${upstreamMessage ? ` "${upstreamMessage}"` : ''}`, operation, retryable);
  }
}

export class IdentityVerificationNotFoundError extends PortOneApiError {}
export class IdentityVerificationAlreadyVerifiedError extends PortOneApiError {}
export class IdentityVerificationAlreadySentError extends PortOneApiError {}
export class IdentityVerificationNotSentError extends PortOneApiError {}
export class InvalidRequestError extends PortOneApiError {}
export class UnauthorizedError extends PortOneApiError {}
export class ForbiddenError extends PortOneApiError {}
export class ChannelNotFoundError extends PortOneApiError {}
export class MaxTransactionCountReachedError extends PortOneApiError {}

/** The PG (Danal, KCP, Inicis) refused or failed; `pgCode` / `pgMessage` are the PG's (redacted). */
export class PgProviderError extends PortOneApiError {
  constructor(operation: PortOneOperation, type: string, upstreamMessage: string | undefined, readonly pgCode: string | undefined, readonly pgMessage: string | undefined) {
    super(operation, type, upstreamMessage);
  }
}

/** A `type` this client does not know (a 5xx of the API gateway, a newer error): treated as a server failure. */
export class UnrecognizedPortOneError extends PortOneApiError {
  constructor(operation: PortOneOperation, type: string, upstreamMessage: string | undefined) {
    super(operation, type, upstreamMessage, true);
  }
}

/** No answer within one attempt's timeout, or the call's deadline passed (`callDeadline`). */
export class PortOneTimeoutError extends PortOneCallError {
  constructor(operation: PortOneOperation, readonly timeoutMs: number, readonly callDeadline = false) {
    super(
      callDeadline ? `PortOne ${operation} timed out: the call deadline of ${timeoutMs} ms passed` : `PortOne ${operation} timed out after ${timeoutMs} ms`,
      operation,
      true,
    );
  }
}

/** The connection failed, or the answer was not a JSON body (the request may have been processed). */
export class PortOneNetworkError extends PortOneCallError {
  constructor(operation: PortOneOperation, readonly errorCode?: string) {
    super(`PortOne ${operation} failed: network error${errorCode ? ` (${errorCode})` : ''}`, operation, true);
  }
}

/** The breaker is open: nothing was sent. */
export class PortOneCircuitOpenError extends PortOneCallError {
  constructor(operation: PortOneOperation, readonly retryAfterMs: number) {
    super(`PortOne ${operation} not attempted: circuit open, retry after ${retryAfterMs} ms`, operation, true);
  }
}

const TYPED: Record<string, new (op: PortOneOperation, type: string, message: string | undefined) => PortOneApiError> = {
  IDENTITY_VERIFICATION_NOT_FOUND: IdentityVerificationNotFoundError,
  IDENTITY_VERIFICATION_ALREADY_VERIFIED: IdentityVerificationAlreadyVerifiedError,
  IDENTITY_VERIFICATION_ALREADY_SENT: IdentityVerificationAlreadySentError,
  IDENTITY_VERIFICATION_NOT_SENT: IdentityVerificationNotSentError,
  INVALID_REQUEST: InvalidRequestError,
  UNAUTHORIZED: UnauthorizedError,
  FORBIDDEN: ForbiddenError,
  CHANNEL_NOT_FOUND: ChannelNotFoundError,
  MAX_TRANSACTION_COUNT_REACHED: MaxTransactionCountReachedError,
};

/** The typed error of an SDK `RestError`'s data. */
export function apiErrorFrom(operation: PortOneOperation, data: unknown, redact: (text: unknown) => string | undefined): PortOneApiError {
  const body = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const type = typeof body.type === 'string' ? body.type.slice(0, 64) : 'UNRECOGNIZED';
  const message = redact(body.message);
  if (type === 'PG_PROVIDER') return new PgProviderError(operation, type, message, redact(body.pgCode), redact(body.pgMessage));
  const Known = TYPED[type];
  return Known ? new Known(operation, type, message) : new UnrecognizedPortOneError(operation, type, message);
}
