/**
 * What CertificationModule reports to an observer (metrics, audit). Events carry no personal
 * data: no name, phone, birth date, CI, DI, OTP, token, and not the imp_uid either.
 */
export type CertificationEventType =
  /** An OTP was sent upstream and the pending verification stored. */
  | 'otp_requested'
  /** An OTP confirmation succeeded (or was recovered) and the verification recorded. */
  | 'otp_confirmed'
  /** A wrong OTP (an attempt was used). */
  | 'otp_mismatch'
  /** The last allowed wrong OTP locked the verification. */
  | 'otp_locked'
  /** The OTP window passed (found on confirmation, by upstream, or by the recovery routine). */
  | 'otp_expired'
  /** A popup / redirect flow certification was recorded. */
  | 'popup_verified'
  /** A verification the upstream certified but that was not recorded here was recovered. */
  | 'verification_recovered'
  /** A verification token was issued (once per verification). */
  | 'token_issued'
  /** An upstream call failed (5xx, non-zero code, timeout, network error, open breaker). */
  | 'upstream_failed';

export interface CertificationEvent {
  type: CertificationEventType;
  flow: 'otp' | 'popup';
  /** Our row id (a random UUID), when there is a row. */
  certificationId?: string;
  /** The stable error code for `upstream_failed` (UPSTREAM_ERROR, UPSTREAM_UNAVAILABLE, ...). */
  errorCode?: string;
}

/** Observer of CertificationEvents. It must not throw (errors are logged and ignored). */
export type CertificationEventListener = (event: CertificationEvent) => void;

/**
 * Rate-limit hook of the OTP request, called once the request is valid, just before it goes
 * upstream: what it counts is SMS actually sent. To refuse, throw a DomainError such as
 * `RateLimitedError` (429 with Retry-After).
 */
export interface OtpRequestLimiter {
  beforeOtpRequest(subject: {
    /** HMAC blind index of the normalized phone number (never the number itself). */
    phoneBidx: string;
    /** The client's IP as the HTTP adapter reports it (trust proxy settings apply), if known. */
    ip: string | null;
  }): Promise<void>;
}

/**
 * Cap on wrong OTPs per phone over time (guessing across verifications). `beforeOtpConfirm` is
 * called with an attempt reserved, before the provider is asked: throw a DomainError to refuse
 * (the attempt is given back). `afterOtpMismatch` records a wrong OTP; its errors are ignored.
 */
export interface OtpConfirmLimiter {
  beforeOtpConfirm(subject: { phoneBidx: string }): Promise<void>;
  afterOtpMismatch(subject: { phoneBidx: string }): Promise<void>;
}
