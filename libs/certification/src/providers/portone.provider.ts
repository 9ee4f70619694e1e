import { randomUUID } from 'node:crypto';
import {
  IdentityVerificationAlreadyVerifiedError,
  IdentityVerificationNotFoundError,
  IdentityVerificationNotSentError,
  InvalidRequestError,
  MaxTransactionCountReachedError,
  PgProviderError,
  PortOneApiError,
  PortOneCallError,
  PortOneCircuitOpenError,
  PortOneClient,
  PortOneNetworkError,
  PortOneTimeoutError,
  type IdentityVerificationObject,
  type PortOneOperator,
} from '@app/portone';
import type { DomainError } from '@app/common';
import { UpstreamError, UpstreamUnavailableError } from '../certification.errors';
import { UPSTREAM_RETRY_AFTER_SECONDS, classifyConfirmRejection } from '../upstream-errors';
import {
  IdentityProviderError,
  type IdentityCertification,
  type IdentityOtpRequest,
  type IdentityProvider,
} from './identity-provider';

/** The calls of `PortOneClient` this adapter uses (a fake implements them in unit specs). */
export type PortOneCalls = Pick<PortOneClient, 'send' | 'confirm' | 'resend' | 'get'>;

/** Our ids: `identity-verification-<uuid>` for an OTP send, `identity-verification-<flow merchant_uid>` for a window. */
const ID_PREFIX = 'identity-verification-';
const WINDOW_ID_PREFIX = `${ID_PREFIX}flow_`;

/** Used when the host passes no client IP (the API requires one). */
const UNKNOWN_CLIENT_IP = '127.0.0.1';

/**
 * `IdentityProvider` on PortOne V2 through `PortOneClient`. The verification id is ours (V2 lets
 * the merchant choose it) and is what the API calls `imp_uid`. CI or DI may be missing by the
 * PG's contract (Danal without the CI contract, KG Inicis without DI).
 */
export class PortOneIdentityProvider implements IdentityProvider {
  readonly name = 'portone';
  readonly personKeys = 'ci_or_di' as const;

  constructor(
    private readonly client: PortOneCalls,
    private readonly channelKey: string,
  ) {}

  async requestOtp(request: IdentityOtpRequest): Promise<{ id: string }> {
    const id = `${ID_PREFIX}${randomUUID()}`;
    try {
      await this.client.send({
        identityVerificationId: id,
        channelKey: this.channelKey,
        customer: {
          name: request.name,
          phoneNumber: request.phone,
          identityNumber: `${request.birth}${request.genderDigit}`,
          ipAddress: request.clientIp || UNKNOWN_CLIENT_IP,
        },
        operator: operatorOf(request),
        method: 'SMS',
        bypass: request.company ? { danal: { CPTITLE: request.company } } : undefined,
        customData: request.merchantUid,
      });
    } catch (error) {
      throw providerError(error);
    }
    return { id };
  }

  async resendOtp(id: string): Promise<{ id: string }> {
    try {
      await this.client.resend(id);
    } catch (error) {
      throw providerError(error);
    }
    return { id };
  }

  async confirmOtp(id: string, otp: string): Promise<IdentityCertification> {
    try {
      return toCertification(await this.client.confirm(id, otp));
    } catch (error) {
      throw providerError(error);
    }
  }

  async getCertification(id: string): Promise<IdentityCertification> {
    try {
      return toCertification(await this.client.get(id));
    } catch (error) {
      throw providerError(error);
    }
  }

  /** A window's verification is named after its flow, so the flow it belongs to is known from the id alone. */
  windowVerificationId(merchantUid: string): string {
    return `${ID_PREFIX}${merchantUid}`;
  }

  /** V2 offers no deletion of an identity verification: nothing to erase upstream. */
  async deleteCertification(): Promise<void> {}
}

function operatorOf(request: IdentityOtpRequest): PortOneOperator {
  const host = request.carrier === 'LGT' ? 'LGU' : request.carrier;
  return (request.isMvno ? `${host}_MVNO` : host) as PortOneOperator;
}

/** V2 operator codes in the V1 spelling the certifications table keeps (LGU -> LGT). */
function carrierOf(operator: string | undefined): string | null {
  return operator ? operator.replace(/^LGU/, 'LGT') : null;
}

/** The flow's merchant_uid of a window verification's id (see windowVerificationId); null for other ids. */
function flowOf(id: string): string | null {
  return id.startsWith(WINDOW_ID_PREFIX) ? id.slice(ID_PREFIX.length) : null;
}

export function toCertification(v: IdentityVerificationObject): IdentityCertification {
  if (v.status === 'VERIFIED') {
    const c = v.verifiedCustomer;
    return {
      id: v.id,
      certified: true,
      name: c.name ?? null,
      phone: c.phoneNumber ?? null,
      birthday: c.birthDate ?? null,
      gender: c.gender === 'MALE' ? 'male' : c.gender === 'FEMALE' ? 'female' : null,
      foreigner: c.isForeigner === true,
      carrier: carrierOf(c.operator),
      certifiedAt: v.verifiedAt ? new Date(v.verifiedAt) : null,
      ci: c.ci || null,
      di: c.di || null,
      merchantUid: flowOf(v.id) ?? v.customData ?? null,
    };
  }
  const requested = 'requestedCustomer' in v ? v.requestedCustomer : undefined;
  return {
    id: (v as { id: string }).id,
    certified: false,
    name: requested?.name ?? null,
    phone: requested?.phoneNumber ?? null,
    birthday: null,
    gender: null,
    foreigner: false,
    carrier: null,
    certifiedAt: null,
    ci: null,
    di: null,
    merchantUid: flowOf((v as { id: string }).id),
  };
}

/** A PortOneClient failure as an IdentityProviderError; anything else (a bug) is returned as is. */
export function providerError(error: unknown): unknown {
  if (!(error instanceof PortOneCallError)) return error;
  const detail = { retryable: error.retryable, cause: error.name };
  const operation = error.operation;
  if (error instanceof IdentityVerificationNotFoundError || error instanceof IdentityVerificationNotSentError) {
    return new IdentityProviderError('not_found', operation, new UpstreamError(), detail);
  }
  if (error instanceof IdentityVerificationAlreadyVerifiedError) {
    return new IdentityProviderError('refused', operation, new UpstreamError(), { ...detail, refusal: 'already_confirmed' });
  }
  if (error instanceof PgProviderError || error instanceof InvalidRequestError || error instanceof MaxTransactionCountReachedError) {
    const providerMessage = error instanceof PgProviderError ? (error.pgMessage ?? error.upstreamMessage) : error.upstreamMessage;
    return new IdentityProviderError('refused', operation, upstreamFailure(error), {
      ...detail,
      providerMessage,
      refusal: error instanceof PgProviderError ? classifyConfirmRejection(error.pgMessage) : 'unknown',
    });
  }
  return new IdentityProviderError('failed', operation, upstreamFailure(error), detail);
}

/** The 502/503 of a failure the flow cannot attribute to the person. */
function upstreamFailure(error: PortOneCallError): DomainError {
  if (error instanceof PortOneCircuitOpenError) return new UpstreamUnavailableError(Math.max(1, Math.ceil(error.retryAfterMs / 1000)), 'circuit_open');
  if (error instanceof PortOneTimeoutError) return new UpstreamUnavailableError(UPSTREAM_RETRY_AFTER_SECONDS, 'timeout');
  if (error instanceof PortOneNetworkError) return new UpstreamUnavailableError(UPSTREAM_RETRY_AFTER_SECONDS, 'network');
  if (error instanceof PortOneApiError) {
    return new UpstreamError(undefined, { upstream_message: `${error.type}${error.upstreamMessage ? `: ${error.upstreamMessage}` : ''}` });
  }
  return new UpstreamError();
}
