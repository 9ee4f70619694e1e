import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@app/common';
import { CERTIFICATION_DEFAULTS, type ResolvedCertificationOptions } from '../certification.options';
import { CERTIFICATION_RESOLVED_OPTIONS, IDENTITY_PROVIDER } from '../certification.constants';
import { CertificationReporter } from '../certification.reporter';
import { IdentityProviderError, type IdentityCertification, type IdentityProvider } from '../providers/identity-provider';
import { CertificationRecorder } from '../recording/certification-recorder';
import { CertificationRepository, type CertificationStore } from '../repositories/certification.repository';

export interface RecoveryReport {
  /** Pending verifications looked up upstream. */
  checked: number;
  /** Certified upstream, now recorded as verified (without a token). */
  recovered: number;
  /** Past their OTP window and not certified (or unknown upstream): marked expired. */
  expired: number;
  /** Upstream lookups that failed (the batch stops at the first unavailability). */
  failed: number;
}

/** Confirmations that succeeded upstream but were not recorded here (a crash, a lost answer). */
@Injectable()
export class CertificationRecovery {
  constructor(
    @Inject(CERTIFICATION_RESOLVED_OPTIONS) private readonly options: Pick<ResolvedCertificationOptions, 'recovery' | 'clock'>,
    @Inject(CertificationRepository) private readonly certifications: CertificationStore,
    @Inject(IDENTITY_PROVIDER) private readonly provider: IdentityProvider,
    private readonly recorder: CertificationRecorder,
    private readonly reporter: CertificationReporter,
  ) {}

  /**
   * For up to `limit` pending OTP verifications created at least `minAgeSeconds` ago (so
   * confirmations in flight are left alone), asks the provider: certified ones are recorded
   * WITHOUT a token (a token must reach only the person, who gets it by confirming again); ones
   * past their OTP window (or unknown upstream) are marked expired. Stops at the first
   * unavailability of the provider. Safe to run on several instances at once.
   */
  async recoverPending(options: { limit?: number; minAgeSeconds?: number } = {}): Promise<RecoveryReport> {
    const limit = options.limit ?? this.options.recovery?.batchSize ?? CERTIFICATION_DEFAULTS.recoveryBatchSize;
    const minAgeSeconds = options.minAgeSeconds ?? this.options.recovery?.minAgeSeconds ?? CERTIFICATION_DEFAULTS.recoveryMinAgeSeconds;
    const now = this.options.clock();
    const rows = await this.certifications.findPendingForRecovery(new Date(now.getTime() - minAgeSeconds * 1000), limit);
    const report: RecoveryReport = { checked: 0, recovered: 0, expired: 0, failed: 0 };
    for (const row of rows) {
      report.checked++;
      let certification: IdentityCertification;
      try {
        certification = await this.provider.getCertification(row.impUid);
      } catch (error) {
        if (!(error instanceof IdentityProviderError)) {
          report.failed++;
          continue;
        }
        if (error.kind === 'not_found') {
          if (await this.certifications.markExpired(row.id)) report.expired++;
          continue;
        }
        report.failed++;
        if (error.detail.retryable) break; // the provider is down: try later
        continue;
      }
      try {
        if (certification.certified) {
          await this.recorder.record(certification, row, false);
          report.recovered++;
          this.reporter.emit({ type: 'verification_recovered', flow: 'otp', certificationId: row.id });
        } else if (row.otpExpiresAt !== null && row.otpExpiresAt.getTime() <= now.getTime()) {
          if (await this.certifications.markExpired(row.id)) {
            report.expired++;
            this.reporter.emit({ type: 'otp_expired', flow: 'otp', certificationId: row.id });
          }
        }
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        report.failed++; // e.g. settled meanwhile, or a certification without CI
      }
    }
    return report;
  }
}
