import type { DomainError } from '@app/common';
import {
  IamportApiError,
  IamportAuthError,
  IamportCircuitOpenError,
  IamportError,
  IamportNetworkError,
  IamportTimeoutError,
} from '@app/iamport';
import { UpstreamError, UpstreamUnavailableError } from './certification.errors';

/** Retry-After for a timeout or a network error (the breaker's own delay is used when open). */
export const UPSTREAM_RETRY_AFTER_SECONDS = 5;

/**
 * Maps a failure of the i'mport client that the caller cannot attribute to its request:
 * timeout, network error, open circuit -> 503 UPSTREAM_UNAVAILABLE (with Retry-After);
 * an upstream error answer (5xx, 200 with a non-zero code, our credentials refused, any
 * 4xx the caller did not handle itself) -> 502 UPSTREAM_ERROR with the upstream's status,
 * code and message in details (the client has redacted the message already).
 * Anything that is not an IamportError is returned as is (a bug or a database error).
 */
export function mapUpstreamError(error: unknown): unknown {
  return error instanceof IamportError ? upstreamDomainError(error) : error;
}

/** The DomainError of an i'mport client failure (see `mapUpstreamError`). */
export function upstreamDomainError(error: IamportError): DomainError {
  if (error instanceof IamportCircuitOpenError) {
    return new UpstreamUnavailableError(Math.max(1, Math.ceil(error.retryAfterMs / 1000)), 'circuit_open');
  }
  if (error instanceof IamportTimeoutError) return new UpstreamUnavailableError(UPSTREAM_RETRY_AFTER_SECONDS, 'timeout');
  if (error instanceof IamportNetworkError) return new UpstreamUnavailableError(UPSTREAM_RETRY_AFTER_SECONDS, 'network');
  if (error instanceof IamportAuthError) {
    // Our API credentials were refused: an operator problem, not the person's.
    return new UpstreamError('The identity verification provider refused our credentials', {
      upstream_status: error.httpStatus,
    });
  }
  if (error instanceof IamportApiError) {
    return new UpstreamError(undefined, {
      upstream_status: error.httpStatus,
      upstream_code: error.upstreamCode,
      upstream_message: error.upstreamMessage,
    });
  }
  return new UpstreamError();
}

/** True for an upstream error answer with this HTTP status (a 200 with a non-zero code is not a 4xx). */
export function isUpstreamStatus(error: unknown, status: number): error is IamportApiError {
  return error instanceof IamportApiError && error.httpStatus === status && error.upstreamCode !== 0;
}

export type ConfirmRejection = 'expired' | 'mismatch' | 'already_confirmed' | 'unknown';

/**
 * What a 400 of the upstream OTP confirmation means, from its (Korean) message. Only a hint:
 * the service first asks the upstream for the certification (certified -> recovered), and
 * treats anything it does not recognise as expiry as a wrong OTP, which uses an attempt
 * (the safe side). Messages as the upstream (and the sandbox) words them:
 * - expired: `인증번호 입력 시간이 초과되었습니다. ...`
 * - mismatch: `인증번호가 일치하지 않습니다.`
 * - already confirmed: `이미 인증이 완료된 건입니다.`
 */
export function classifyConfirmRejection(message: string | undefined | null): ConfirmRejection {
  const text = String(message ?? '').normalize('NFC');
  if (/이미\s*인증이?\s*완료|already\s+(certified|confirmed|completed)/i.test(text)) return 'already_confirmed';
  if (/시간이?\s*초과|만료|expired|timed?\s*out/i.test(text)) return 'expired';
  if (/일치하지\s*않|불일치|mismatch|does\s+not\s+match|incorrect|invalid\s+otp/i.test(text)) return 'mismatch';
  return 'unknown';
}
