import { DomainError } from '@app/common';

/**
 * Domain errors of the certification endpoints (stable codes, see docs/flows.md). Messages and
 * details never carry personal data, the OTP or a token.
 */

/** Unknown imp_uid (here and upstream), or an imp_uid that is not an OTP verification on confirm. */
export class CertificationNotFoundError extends DomainError {
  readonly code = 'CERTIFICATION_NOT_FOUND';
  readonly status = 404;
  constructor(message = 'No such certification') {
    super(message);
  }
}

/** The verification was already confirmed and its token issued (or it was used for a signup). */
export class AlreadyConfirmedError extends DomainError {
  readonly code = 'ALREADY_CONFIRMED';
  readonly status = 409;
  constructor() {
    super('This certification was already confirmed; its verification token is issued only once');
  }
}

/** The popup / redirect flow certification has not been completed upstream. */
export class NotCertifiedError extends DomainError {
  readonly code = 'NOT_CERTIFIED';
  readonly status = 409;
  constructor() {
    super('The certification has not been completed');
  }
}

/** Wrong OTP; `details.attempts_left` wrong confirmations remain before the lock. */
export class OtpMismatchError extends DomainError {
  readonly code = 'OTP_MISMATCH';
  readonly status = 400;
  constructor(readonly attemptsLeft: number) {
    super('The OTP does not match', { attempts_left: attemptsLeft });
  }
}

/** The OTP window passed: request a new OTP. */
export class OtpExpiredError extends DomainError {
  readonly code = 'OTP_EXPIRED';
  readonly status = 410;
  constructor() {
    super('The OTP has expired; request a new one');
  }
}

/** Too many wrong OTPs: the verification is locked (request a new OTP). */
export class OtpAttemptsExceededError extends DomainError {
  readonly code = 'OTP_ATTEMPTS_EXCEEDED';
  readonly status = 429;
  constructor(maxAttempts: number) {
    super('Too many wrong OTPs; this verification is locked, request a new OTP', { max_attempts: maxAttempts });
  }
}

/** The carrier refused the personal data (upstream 400 on the OTP request). */
export class IdentityRejectedError extends DomainError {
  readonly code = 'IDENTITY_REJECTED';
  readonly status = 422;
  constructor(upstreamMessage?: string) {
    super(
      'The carrier could not verify this person with the given data',
      upstreamMessage ? { upstream_message: upstreamMessage } : undefined,
    );
  }
}

/** The upstream answered with an error we cannot attribute to the request (5xx, non-zero code, ...). */
export class UpstreamError extends DomainError {
  readonly code = 'UPSTREAM_ERROR';
  readonly status = 502;
  constructor(
    message = 'The identity verification provider answered with an error',
    details?: { upstream_status?: number; upstream_code?: number; upstream_message?: string },
  ) {
    const clean = details
      ? Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined && v !== null))
      : undefined;
    super(message, clean && Object.keys(clean).length ? clean : undefined);
  }
}

/** The upstream did not answer in time, the connection failed, or the circuit breaker is open. */
export class UpstreamUnavailableError extends DomainError {
  readonly code = 'UPSTREAM_UNAVAILABLE';
  readonly status = 503;
  constructor(retryAfterSeconds: number, reason: 'timeout' | 'network' | 'circuit_open') {
    super('The identity verification provider is unavailable; retry later', { reason }, retryAfterSeconds);
  }
}

/**
 * The imp_uid is already recorded here (the unique index decided). For an OTP request it is the
 * provider's fault (502); the popup flow catches it: a concurrent request recorded it first.
 */
export class DuplicateImpUidError extends UpstreamError {
  constructor() {
    super('The identity verification provider returned a duplicate imp_uid');
  }
}

/**
 * The window result is not one of this service's flows, or the browser does not hold the
 * flow's secret (cookie or header): the verification token goes only to the browser that started it.
 */
export class FlowMismatchError extends DomainError {
  readonly code = 'FLOW_MISMATCH';
  readonly status = 403;
  constructor() {
    super('This certification does not belong to a verification flow started by this browser');
  }
}

/** The flow already yielded another certification: one flow, one verification. */
export class FlowAlreadyClaimedError extends DomainError {
  readonly code = 'FLOW_ALREADY_CLAIMED';
  readonly status = 409;
  constructor() {
    super('This verification flow was already used for another certification; start a new one');
  }
}

/** The certification is older than the claim window, or was completed after the flow expired. */
export class FlowExpiredError extends DomainError {
  readonly code = 'FLOW_EXPIRED';
  readonly status = 410;
  constructor() {
    super('The verification flow has expired; start a new one');
  }
}

/**
 * The verification gave neither a CI nor a DI (a provider contract without either): it cannot
 * identify the person, so it cannot serve a signup (one account per person needs one of them).
 */
export class IdentityKeyMissingError extends DomainError {
  readonly code = 'IDENTITY_KEY_MISSING';
  readonly status = 422;
  constructor() {
    super('The identity verification provider gave neither a CI nor a DI; this verification cannot be used for a signup');
  }
}
