import { Inject, Injectable } from '@nestjs/common';
import { todayInSeoul } from '@app/age-policy';
import { ValidationFailedError } from '@app/common';
import { BlindIndex, PiiCipher } from '@app/pii';
import { CERTIFICATION_RESOLVED_OPTIONS, IDENTITY_PROVIDER } from '../certification.constants';
import {
  AlreadyConfirmedError,
  CertificationNotFoundError,
  IdentityKeyMissingError,
  IdentityRejectedError,
  OtpAttemptsExceededError,
  OtpExpiredError,
  OtpMismatchError,
  UpstreamError,
} from '../certification.errors';
import type { ResolvedCertificationOptions } from '../certification.options';
import { CertificationReporter } from '../certification.reporter';
import { isImpUid, normalizeOtp } from '../input/normalize';
import { normalizeOtpRequest, type OtpRequestInput } from '../input/otp-request';
import { IdentityProviderError, type IdentityCertification, type IdentityProvider } from '../providers/identity-provider';
import { CertificationRecorder } from '../recording/certification-recorder';
import { CertificationRepository, type Certification, type CertificationStore } from '../repositories/certification.repository';
import type { VerificationView } from '../verification-view';

export interface OtpRequested {
  impUid: string;
  /** When the pending OTP expires here. */
  expiresAt: Date;
}

/**
 * The SMS OTP flow. The OTP is never stored or logged; an attempt is reserved before the
 * provider is asked and given back when the provider fails (the OTP was then not judged).
 */
@Injectable()
export class OtpFlow {
  constructor(
    @Inject(CERTIFICATION_RESOLVED_OPTIONS) private readonly options: ResolvedCertificationOptions,
    @Inject(CertificationRepository) private readonly certifications: CertificationStore,
    @Inject(IDENTITY_PROVIDER) private readonly provider: IdentityProvider,
    private readonly recorder: CertificationRecorder,
    private readonly reporter: CertificationReporter,
    private readonly cipher: PiiCipher,
    private readonly blindIndex: BlindIndex,
  ) {}

  /**
   * Sends an OTP and stores the pending verification (name and phone encrypted). 400 bad input,
   * 422 IdentityRejectedError, 502/503 provider failures; nothing is written when the provider
   * refuses or fails, and the request is never retried (an SMS may have gone out).
   */
  async requestOtp(input: OtpRequestInput, context: { ip?: string | null } = {}): Promise<OtpRequested> {
    const parsed = normalizeOtpRequest(input, { today: todayInSeoul(this.now()) });
    if (!parsed.ok) throw new ValidationFailedError(parsed.fields);
    const n = parsed.value;
    const phoneBidx = this.blindIndex.compute('phone', n.phone);
    await this.options.otpRequestLimiter?.beforeOtpRequest({ phoneBidx, ip: context.ip ?? null });

    let impUid: string;
    try {
      ({ id: impUid } = await this.provider.requestOtp({
        name: n.name,
        phone: n.phone,
        birth: n.birth.yymmdd,
        genderDigit: n.genderDigit,
        carrier: n.carrier,
        isMvno: n.isMvno,
        // the operator's service name only: a caller's text in the carrier's SMS would be phishing
        company: this.options.company ?? undefined,
        merchantUid: n.merchantUid ?? undefined,
        clientIp: context.ip ?? undefined,
      }));
    } catch (error) {
      if (error instanceof IdentityProviderError && error.kind === 'refused') {
        throw new IdentityRejectedError(error.detail.providerMessage);
      }
      throw this.reporter.upstreamFailure(error, 'otp');
    }

    const expiresAt = new Date(this.now().getTime() + this.options.otpTtlSeconds * 1000);
    const id = await this.certifications.insertPending({
      impUid,
      merchantUid: n.merchantUid,
      nameEnc: this.cipher.encrypt(n.name, 'name_enc'),
      phoneEnc: this.cipher.encrypt(n.phone, 'phone_enc'),
      phoneBidx,
      birthday: n.birth.iso,
      carrier: n.isMvno ? `${n.carrier}_MVNO` : n.carrier,
      otpExpiresAt: expiresAt,
      provider: this.provider.name,
      gender: Number(n.genderDigit) % 2 === 1 ? 'male' : 'female',
      foreigner: Number(n.genderDigit) >= 5,
    });
    this.reporter.emit({ type: 'otp_requested', flow: 'otp', certificationId: id });
    return { impUid, expiresAt };
  }

  /**
   * Confirms the OTP and issues the verification token. 404 unknown (or not an OTP
   * verification), 409 confirmed already, 429 locked or the phone's daily cap of wrong OTPs
   * reached, and 410 expired (the provider is not asked), 400 OtpMismatchError (details.attempts_left), 502/503 (the attempt is given back).
   */
  async confirmOtp(impUid: string, rawOtp: unknown): Promise<VerificationView> {
    const otp = normalizeOtp(rawOtp);
    if (otp === null) throw new ValidationFailedError([{ field: 'otp', message: 'otp must be 6 digits' }]);
    const max = this.options.otpMaxAttempts;
    const valid = isImpUid(impUid);
    // The usual case in one statement; anything else takes the slower path that tells why.
    const reserved = valid ? await this.certifications.reserveAttemptByImpUid(impUid, max, this.now()) : null;
    const row = reserved ?? (valid ? await this.certifications.findLiveByImpUid(impUid) : null);
    if (row === null || row.flow !== 'otp') {
      throw new CertificationNotFoundError('No OTP verification with this imp_uid');
    }
    if (reserved !== null) return this.confirmReserved(row, otp);
    if (row.status !== 'pending') return this.answerSettled(row);
    if (row.otpExpiresAt !== null && row.otpExpiresAt.getTime() <= this.now().getTime()) {
      if (await this.certifications.markExpired(row.id)) this.reporter.emit({ type: 'otp_expired', flow: 'otp', certificationId: row.id });
      throw new OtpExpiredError();
    }

    const attempts = await this.certifications.reserveAttempt(row.id, max);
    if (attempts === null) {
      // No attempt left, or another request settled the row meanwhile: answer from its state.
      const current = await this.certifications.findById(row.id);
      if (current === null) throw new CertificationNotFoundError('No OTP verification with this imp_uid');
      if (current.status === 'pending') throw new OtpAttemptsExceededError(max);
      return this.answerSettled(current);
    }
    return this.confirmReserved(row, otp);
  }

  /** With an attempt reserved: asks the provider (unless the phone's daily cap of wrong OTPs is reached) and records the result. */
  private async confirmReserved(row: Certification, otp: string): Promise<VerificationView> {
    const limiter = this.options.otpConfirmLimiter;
    if (limiter && row.phoneBidx) {
      try {
        await limiter.beforeOtpConfirm({ phoneBidx: row.phoneBidx });
      } catch (error) {
        await this.certifications.releaseAttempt(row.id);
        throw error;
      }
    }
    let certification: IdentityCertification;
    try {
      certification = await this.provider.confirmOtp(row.impUid, otp);
    } catch (error) {
      if (error instanceof IdentityProviderError && error.kind === 'refused') return this.afterConfirmRefused(row, error);
      await this.certifications.releaseAttempt(row.id);
      if (error instanceof IdentityProviderError && error.kind === 'not_found') {
        throw new CertificationNotFoundError('The provider does not know this imp_uid');
      }
      throw this.reporter.upstreamFailure(error, 'otp', row.id);
    }
    if (!certification.certified) {
      await this.certifications.releaseAttempt(row.id);
      throw new UpstreamError('The identity verification provider confirmed the OTP but not the certification');
    }
    let view: VerificationView | null;
    try {
      view = await this.recorder.record(certification, row, true);
    } catch (error) {
      // e.g. a certification without a CI (502) or without any key (422): the OTP was right, do not count it as an attempt
      if (error instanceof UpstreamError || error instanceof IdentityKeyMissingError) await this.certifications.releaseAttempt(row.id);
      throw error;
    }
    this.reporter.emit({ type: 'otp_confirmed', flow: 'otp', certificationId: row.id });
    return view!;
  }

  /**
   * The provider refused the confirmation: a wrong OTP, an expired one, or one confirmed
   * already (our earlier call went through, its answer was lost). The certification tells:
   * certified -> record it; otherwise the refusal's reason, and an unrecognised one counts as a
   * wrong OTP (it uses the attempt: the safe side).
   */
  private async afterConfirmRefused(row: Certification, refusal: IdentityProviderError): Promise<VerificationView> {
    let certification: IdentityCertification;
    try {
      certification = await this.provider.getCertification(row.impUid);
    } catch (error) {
      await this.certifications.releaseAttempt(row.id);
      if (error instanceof IdentityProviderError && error.kind === 'not_found') {
        throw new CertificationNotFoundError('The provider does not know this imp_uid');
      }
      throw this.reporter.upstreamFailure(error, 'otp', row.id);
    }
    if (certification.certified) {
      const view = await this.recorder.record(certification, row, true);
      this.reporter.emit({ type: 'verification_recovered', flow: 'otp', certificationId: row.id });
      this.reporter.emit({ type: 'otp_confirmed', flow: 'otp', certificationId: row.id });
      return view!;
    }
    const kind = refusal.detail.refusal ?? 'unknown';
    if (kind === 'expired') {
      if (await this.certifications.markExpired(row.id)) this.reporter.emit({ type: 'otp_expired', flow: 'otp', certificationId: row.id });
      throw new OtpExpiredError();
    }
    if (kind === 'already_confirmed') {
      // "Already confirmed" yet not certified: the provider contradicts itself; the OTP was not judged.
      await this.certifications.releaseAttempt(row.id);
      throw new UpstreamError('The identity verification provider gave contradictory answers');
    }
    const max = this.options.otpMaxAttempts;
    const state = await this.certifications.recordMismatch(row.id, max);
    if (row.phoneBidx) {
      // the counter failing must not turn a wrong OTP into an error: the check side still holds
      await this.options.otpConfirmLimiter?.afterOtpMismatch({ phoneBidx: row.phoneBidx }).catch(() => undefined);
    }
    this.reporter.emit({ type: 'otp_mismatch', flow: 'otp', certificationId: row.id });
    if (state?.locked) this.reporter.emit({ type: 'otp_locked', flow: 'otp', certificationId: row.id });
    throw new OtpMismatchError(state ? Math.max(0, max - state.attempts) : 0);
  }

  /** The answer for a verification that is no longer pending. */
  private async answerSettled(row: Certification): Promise<VerificationView> {
    switch (row.status) {
      case 'verified':
        // Recorded without a token (recovery, redirect): the person's next confirmation gets it.
        return this.recorder.issueForRecorded(row);
      case 'used':
        throw new AlreadyConfirmedError();
      case 'expired':
        throw new OtpExpiredError();
      default:
        throw new OtpAttemptsExceededError(this.options.otpMaxAttempts);
    }
  }

  private now(): Date {
    return this.options.clock();
  }
}
