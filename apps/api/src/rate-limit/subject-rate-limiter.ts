import { Inject, Injectable } from '@nestjs/common';
import type { AdminRequestLimiter } from '@app/admin';
import type { OtpConfirmLimiter, OtpRequestLimiter } from '@app/certification';
import { SUBJECT_RATE_LIMIT_RULES, type SubjectRateLimitRules } from './rate-limit.rules';
import { RateLimitService } from './rate-limit.service';

/**
 * The limits on subjects the guard cannot see before validation or authentication, as the ports
 * the libs call: the OTP flow (a valid request's phone; wrong OTPs per phone per day) and the
 * admin guard (the key id). Counted in the same store as the guard's IP rules.
 */
@Injectable()
export class SubjectRateLimiter implements OtpRequestLimiter, OtpConfirmLimiter, AdminRequestLimiter {
  constructor(
    private readonly limits: RateLimitService,
    @Inject(SUBJECT_RATE_LIMIT_RULES) private readonly rules: SubjectRateLimitRules,
  ) {}

  /** Just before the SMS goes out: only requests that reach the carrier spend the phone's sends. */
  beforeOtpRequest(subject: { phoneBidx: string }): Promise<void> {
    return this.limits.hitScope('otp-request', 'phone', subject.phoneBidx);
  }

  beforeOtpConfirm(subject: { phoneBidx: string }): Promise<void> {
    return this.limits.checkSubject(this.rules.otpFailures, subject.phoneBidx, { counts: 'failed_confirmations' });
  }

  async afterOtpMismatch(subject: { phoneBidx: string }): Promise<void> {
    // the 429 for a full window comes from beforeOtpConfirm; here the wrong OTP is only recorded
    await this.limits.hitSubject(this.rules.otpFailures, subject.phoneBidx).catch(() => undefined);
  }

  beforeAdminRequest(subject: { keyId: string }): Promise<void> {
    return this.limits.hitSubject(this.rules.adminKey, subject.keyId);
  }
}
