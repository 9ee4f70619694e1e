/**
 * Built from status, upstream code and message and our own words only, never from a transport
 * error (it carries the Authorization header and personal data); no `cause`. Details: README.
 */
export type IamportOperation =
  | 'getToken'
  | 'requestOtp'
  | 'confirmOtp'
  | 'getCertification'
  | 'deleteCertification';

interface IamportErrorInit {
  operation: IamportOperation;
  httpStatus?: number;
  upstreamCode?: number;
  upstreamMessage?: string;
  retryable: boolean;
}

export class IamportError extends Error {
  readonly operation: IamportOperation;
  readonly httpStatus?: number;
  readonly upstreamCode?: number;
  readonly upstreamMessage?: string;
  readonly retryable: boolean;

  constructor(message: string, init: IamportErrorInit) {
    super(message);
    this.name = new.target.name;
    this.operation = init.operation;
    this.httpStatus = init.httpStatus;
    this.upstreamCode = init.upstreamCode;
    this.upstreamMessage = init.upstreamMessage;
    this.retryable = init.retryable;
  }

  /** What JSON.stringify shows: our own fields only (there is nothing else to show). */
  toJSON(): Record<string, unknown> {
    const own: Record<string, unknown> = {};
    for (const key of Object.keys(this)) own[key] = (this as unknown as Record<string, unknown>)[key];
    return { ...own, name: this.name, message: this.message };
  }
}

/** The upstream answered with an error: a 4xx/5xx, or a 200 whose envelope code is not 0. */
export class IamportApiError extends IamportError {
  constructor(init: {
    operation: IamportOperation;
    httpStatus: number;
    upstreamCode?: number;
    upstreamMessage?: string;
    /** Our own description when the body is not an upstream error envelope. */
    detail?: string;
  }) {
    const parts = [`HTTP ${init.httpStatus}`];
    if (init.upstreamCode !== undefined) parts.push(`code ${init.upstreamCode}`);
    if (init.upstreamMessage) parts.push(`message "${init.upstreamMessage}"`);
    if (init.detail) parts.push(init.detail);
    super(`i'mport ${init.operation} failed: ${parts.join(', ')}`, {
      operation: init.operation,
      httpStatus: init.httpStatus,
      upstreamCode: init.upstreamCode,
      upstreamMessage: init.upstreamMessage,
      retryable: init.httpStatus >= 500,
    });
  }
}

/** getToken rejected the credentials (imp_key / imp_secret). Never retried. */
export class IamportAuthError extends IamportError {
  constructor(init: {
    operation: IamportOperation;
    httpStatus: number;
    upstreamCode?: number;
    upstreamMessage?: string;
  }) {
    const code = init.upstreamCode !== undefined ? `, code ${init.upstreamCode}` : '';
    const msg = init.upstreamMessage ? `, message "${init.upstreamMessage}"` : '';
    super(
      `i'mport rejected the API credentials while getting a token for ${init.operation}: HTTP ${init.httpStatus}${code}${msg}`,
      { ...init, retryable: false },
    );
  }
}

/**
 * No complete answer in time (the request may or may not have been processed): either one
 * attempt ran out of `timeoutMs`, or the whole call ran out of its `callDeadlineMs`
 * (`callDeadline: true`; `timeoutMs` is then that deadline). A call-deadline error may also
 * come before any request was sent (the token fetch took the time).
 */
export class IamportTimeoutError extends IamportError {
  readonly timeoutMs: number;
  /** True when the call's overall deadline (`callDeadlineMs`) ran out, not one attempt's timeout. */
  readonly callDeadline: boolean;
  constructor(init: { operation: IamportOperation; timeoutMs: number; callDeadline?: boolean }) {
    super(
      init.callDeadline
        ? `i'mport ${init.operation} timed out: the call deadline of ${init.timeoutMs} ms passed`
        : `i'mport ${init.operation} timed out after ${init.timeoutMs} ms`,
      { operation: init.operation, retryable: true },
    );
    this.timeoutMs = init.timeoutMs;
    this.callDeadline = init.callDeadline ?? false;
  }
}

/** The connection was refused, reset or dropped (the request may or may not have been processed). */
export class IamportNetworkError extends IamportError {
  /** The system error code, e.g. `ECONNREFUSED`, `ECONNRESET`. */
  readonly errorCode?: string;
  constructor(init: { operation: IamportOperation; errorCode?: string }) {
    super(
      `i'mport ${init.operation} failed: network error${init.errorCode ? ` (${init.errorCode})` : ''}`,
      { operation: init.operation, retryable: true },
    );
    this.errorCode = init.errorCode;
  }
}

/** The circuit breaker is open: failed fast, nothing was sent upstream. */
export class IamportCircuitOpenError extends IamportError {
  readonly retryAfterMs: number;
  constructor(init: { operation: IamportOperation; retryAfterMs: number }) {
    super(
      `i'mport ${init.operation} not attempted: circuit open, retry after ${init.retryAfterMs} ms`,
      { operation: init.operation, retryable: true },
    );
    this.retryAfterMs = init.retryAfterMs;
  }
}
