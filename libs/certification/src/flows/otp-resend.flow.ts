import { Inject, Injectable } from '@nestjs/common';
import { PiiCipher } from '@app/pii';
import { CERTIFICATION_RESOLVED_OPTIONS, IDENTITY_PROVIDER } from '../certification.constants';
import {
  CertificationNotFoundError,
  IdentityRejectedError,
  OtpAttemptsExceededError,
  OtpExpiredError,
} from '../certification.errors';
import type { ResolvedCertificationOptions } from '../certification.options';
import { CertificationReporter } from '../certification.reporter';
import { isImpUid } from '../input/normalize';
import { IdentityProviderError, type IdentityOtpRequest, type IdentityProvider } from '../providers/identity-provider';
import { CertificationRepository, type Certification, type CertificationStore } from '../repositories/certification.repository';
import type { OtpRequested } from './otp.flow';

/**
 * A new OTP for a pending OTP verification, under the OTP request's send limits. The provider says
 * how: PortOne V2 resends for the same id (its window starts again here); i'mport V1 has none, so
 * a new request from the stored data gets a new imp_uid and the old verification expires.
 */
@Injectable()
export class OtpResendFlow {
  constructor(
    @Inject(CERTIFICATION_RESOLVED_OPTIONS) private readonly options: ResolvedCertificationOptions,
    @Inject(CertificationRepository) private readonly certifications: CertificationStore,
    @Inject(IDENTITY_PROVIDER) private readonly provider: IdentityProvider,
    private readonly reporter: CertificationReporter,
    private readonly cipher: PiiCipher,
  ) {}

  /** 404 unknown, 409-like states answered as on confirm (410 expired, 429 locked), 422 refused, 502/503. */
  async resendOtp(impUid: string, context: { ip?: string | null } = {}): Promise<OtpRequested> {
    const row = isImpUid(impUid) ? await this.certifications.findLiveByImpUid(impUid) : null;
    if (row === null || row.flow !== 'otp') throw new CertificationNotFoundError('No OTP verification with this imp_uid');
    if (row.status === 'locked') throw new OtpAttemptsExceededError(this.options.otpMaxAttempts);
    const now = this.options.clock();
    if (row.status !== 'pending' || (row.otpExpiresAt !== null && row.otpExpiresAt.getTime() <= now.getTime())) {
      throw new OtpExpiredError();
    }
    const request = this.requestOf(row);
    await this.options.otpRequestLimiter?.beforeOtpRequest({ phoneBidx: row.phoneBidx!, ip: context.ip ?? null });

    let id: string;
    try {
      ({ id } = await this.provider.resendOtp(row.impUid, { ...request, clientIp: context.ip ?? undefined }));
    } catch (error) {
      if (error instanceof IdentityProviderError && error.kind === 'not_found') throw new CertificationNotFoundError('The provider does not know this imp_uid');
      if (error instanceof IdentityProviderError && error.kind === 'refused') throw new IdentityRejectedError(error.detail.providerMessage);
      throw this.reporter.upstreamFailure(error, 'otp', row.id);
    }
    const expiresAt = new Date(this.options.clock().getTime() + this.options.otpTtlSeconds * 1000);
    if (id === row.impUid) {
      if (!(await this.certifications.extendPending(row.id, expiresAt))) throw new OtpExpiredError();
    } else {
      await this.certifications.insertPending({
        impUid: id,
        merchantUid: row.merchantUid,
        nameEnc: row.nameEnc!,
        phoneEnc: row.phoneEnc!,
        phoneBidx: row.phoneBidx!,
        birthday: row.birthday!,
        carrier: row.carrier!,
        otpExpiresAt: expiresAt,
        provider: this.provider.name,
        gender: row.gender ?? undefined,
        foreigner: row.foreigner ?? undefined,
      });
      await this.certifications.markExpired(row.id);
    }
    this.reporter.emit({ type: 'otp_requested', flow: 'otp', certificationId: row.id });
    return { impUid: id, expiresAt };
  }

  /** The OTP request again, from the pending row (the gender digit from century, gender and foreigner). */
  private requestOf(row: Certification): IdentityOtpRequest {
    if (!row.nameEnc || !row.phoneEnc || !row.phoneBidx || !row.birthday || !row.carrier || !row.gender || row.foreigner === null) {
      throw new OtpExpiredError(); // stored before resends existed: request a new OTP
    }
    const year = Number(row.birthday.slice(0, 4));
    const base = (year >= 2000 ? 3 : 1) + (row.foreigner ? 4 : 0);
    const [carrier, mvno] = row.carrier.split('_');
    return {
      name: this.cipher.decrypt(row.nameEnc, 'name_enc'),
      phone: this.cipher.decrypt(row.phoneEnc, 'phone_enc'),
      birth: row.birthday.slice(2).replace(/-/g, ''),
      genderDigit: String(base + (row.gender === 'female' ? 1 : 0)),
      carrier: carrier as IdentityOtpRequest['carrier'],
      isMvno: mvno === 'MVNO' ? true : undefined,
      company: this.options.company ?? undefined,
      merchantUid: row.merchantUid ?? undefined,
    };
  }
}
