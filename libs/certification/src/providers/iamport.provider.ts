import { Inject, Injectable } from '@nestjs/common';
import { IamportClient, IamportError, type IamportCertification } from '@app/iamport';
import { classifyConfirmRejection, isUpstreamStatus, upstreamDomainError } from '../upstream-errors';
import {
  IdentityProviderError,
  type IdentityCertification,
  type IdentityOtpRequest,
  type IdentityProvider,
} from './identity-provider';

/** The calls of `IamportClient` this adapter uses (a fake implements them in unit specs). */
export type IamportCalls = Pick<IamportClient, 'requestOtp' | 'confirmOtp' | 'getCertification' | 'deleteCertification'>;

/** `IdentityProvider` on i'mport (PortOne V1) through `IamportClient`. */
@Injectable()
export class IamportIdentityProvider implements IdentityProvider {
  readonly name = 'iamport';
  readonly personKeys = 'ci' as const;

  constructor(@Inject(IamportClient) private readonly client: IamportCalls) {}

  /** V1 has no resend: a new OTP request with the same data, under a new imp_uid. */
  resendOtp(_id: string, request: IdentityOtpRequest): Promise<{ id: string }> {
    return this.requestOtp(request);
  }

  async requestOtp(request: IdentityOtpRequest): Promise<{ id: string }> {
    try {
      const { imp_uid } = await this.client.requestOtp({
        name: request.name,
        phone: request.phone,
        birth: request.birth,
        gender_digit: request.genderDigit,
        carrier: request.carrier,
        is_mvno: request.isMvno,
        company: request.company,
        merchant_uid: request.merchantUid,
      });
      return { id: imp_uid };
    } catch (error) {
      throw providerError(error);
    }
  }

  async confirmOtp(id: string, otp: string): Promise<IdentityCertification> {
    try {
      return toCertification(await this.client.confirmOtp(id, otp));
    } catch (error) {
      throw providerError(error);
    }
  }

  async getCertification(id: string): Promise<IdentityCertification> {
    try {
      return toCertification(await this.client.getCertification(id));
    } catch (error) {
      throw providerError(error);
    }
  }

  async deleteCertification(id: string): Promise<void> {
    try {
      await this.client.deleteCertification(id);
    } catch (error) {
      throw providerError(error);
    }
  }
}

function toCertification(c: IamportCertification): IdentityCertification {
  return {
    id: c.imp_uid,
    certified: c.certified,
    name: c.name,
    phone: c.phone,
    birthday: c.birthday,
    gender: c.gender ?? null,
    foreigner: c.foreigner === true,
    carrier: c.carrier ?? null,
    certifiedAt: c.certified_at > 0 ? new Date(c.certified_at * 1000) : null,
    ci: c.unique_key,
    di: c.unique_in_site,
    merchantUid: c.merchant_uid ?? null,
  };
}

/** An IamportError as an IdentityProviderError; anything else (a bug) is returned as is. */
export function providerError(error: unknown): unknown {
  if (!(error instanceof IamportError)) return error;
  const detail = {
    retryable: error.retryable,
    cause: `${error.name}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ''}`,
  };
  const failure = upstreamDomainError(error);
  const operation = error.operation;
  if (isUpstreamStatus(error, 400)) {
    return new IdentityProviderError('refused', operation, failure, {
      ...detail,
      providerMessage: error.upstreamMessage,
      refusal: classifyConfirmRejection(error.upstreamMessage),
    });
  }
  if (isUpstreamStatus(error, 404)) return new IdentityProviderError('not_found', operation, failure, detail);
  return new IdentityProviderError('failed', operation, failure, detail);
}
