import type { DomainError } from '@app/common';

/**
 * The providers whose verifications have an upstream copy to delete on erasure (`provider`
 * column). PortOne V2 has no deletion of an identity verification: its rows are erased here only.
 */
export const UPSTREAM_DELETION_PROVIDERS: readonly string[] = ['iamport'];

/** An OTP request as the provider needs it (already normalised). */
export interface IdentityOtpRequest {
  name: string;
  /** Digits only. */
  phone: string;
  /** YYMMDD; the century follows from `genderDigit`. */
  birth: string;
  /** 7th digit of the resident registration number: 1-8. */
  genderDigit: string;
  carrier: 'SKT' | 'KT' | 'LGT';
  isMvno?: boolean;
  /** Service name the carrier shows in the SMS. */
  company?: string;
  merchantUid?: string;
  /** The person's client IP (PortOne V2 requires it on a send). */
  clientIp?: string;
}

/** A certification as the provider reports it; a field it omits is null. */
export interface IdentityCertification {
  /** The provider's id of the certification (our `imp_uid` column). */
  id: string;
  certified: boolean;
  name: string | null;
  phone: string | null;
  /** YYYY-MM-DD. */
  birthday: string | null;
  gender: 'male' | 'female' | null;
  foreigner: boolean;
  carrier: string | null;
  /** null when the provider sends none. */
  certifiedAt: Date | null;
  /** CI. */
  ci: string | null;
  /** DI. */
  di: string | null;
  merchantUid: string | null;
}

/** Why the provider refused an OTP confirmation (a hint: the flow asks for the certification first). */
export type ConfirmRefusal = 'expired' | 'mismatch' | 'already_confirmed' | 'unknown';

/**
 * A failed provider call: `refused` (the provider judged the request: a 400), `not_found` (it
 * does not know the id), or `failed` (5xx, timeout, network, open breaker, ...). `failure` is
 * the 502/503 to answer when the flow has nothing more specific to say.
 */
export class IdentityProviderError extends Error {
  override readonly name = 'IdentityProviderError';

  constructor(
    readonly kind: 'refused' | 'not_found' | 'failed',
    readonly operation: string,
    readonly failure: DomainError,
    readonly detail: {
      /** Transient: another attempt later may succeed. */
      retryable: boolean;
      /** The provider's message (redacted), for `refused`. */
      providerMessage?: string;
      /** For a refused confirmation. */
      refusal?: ConfirmRefusal;
      /** For log lines: the cause's class and HTTP status, never a message or personal data. */
      cause: string;
    },
  ) {
    super(`Identity provider ${operation}: ${kind}`);
  }
}

/**
 * What the flows need of an identity verification provider. Every method throws
 * `IdentityProviderError` for a provider failure; anything else (a bug) passes through.
 */
export interface IdentityProvider {
  /** Stored with each verification and account, and named in answers: `iamport`, `portone`. */
  readonly name: string;
  /**
   * The person's key the provider guarantees: `ci` (a certification without a CI is broken: 502)
   * or `ci_or_di` (either may be missing by contract; one of them is required).
   */
  readonly personKeys: 'ci' | 'ci_or_di';
  /** Sends the OTP; answers the id of the new certification. Never retried (an SMS may have gone out). */
  requestOtp(request: IdentityOtpRequest): Promise<{ id: string }>;
  /**
   * Sends a new OTP for a pending certification; answers its id: the same one (PortOne V2 resend)
   * or a new one (i'mport V1 has no resend: a new request from the same data). Never retried.
   */
  resendOtp(id: string, request: IdentityOtpRequest): Promise<{ id: string }>;
  confirmOtp(id: string, otp: string): Promise<IdentityCertification>;
  /**
   * The id of a browser flow's verification, named before the window opens (PortOne V2 lets the
   * merchant choose it) and tied to the flow's merchant_uid, which the certification then reports.
   * Absent (i'mport V1): the provider names the certification and reports the merchant_uid itself.
   */
  windowVerificationId?(merchantUid: string): string;
  getCertification(id: string): Promise<IdentityCertification>;
  deleteCertification(id: string): Promise<void>;
}
