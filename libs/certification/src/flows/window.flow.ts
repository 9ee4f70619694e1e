import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@app/common';
import { CERTIFICATION_RESOLVED_OPTIONS, IDENTITY_PROVIDER } from '../certification.constants';
import {
  AlreadyConfirmedError,
  CertificationNotFoundError,
  DuplicateImpUidError,
  NotCertifiedError,
  UpstreamError,
} from '../certification.errors';
import type { ResolvedCertificationOptions } from '../certification.options';
import { CERTIFICATION_LOG_CONTEXT, CertificationReporter } from '../certification.reporter';
import { isImpUid } from '../input/normalize';
import { IdentityProviderError, type IdentityCertification, type IdentityProvider } from '../providers/identity-provider';
import { CertificationRecorder } from '../recording/certification-recorder';
import { CertificationRepository, type CertificationStore } from '../repositories/certification.repository';
import { appendQuery } from '../redirect-url';
import type { VerificationView } from '../verification-view';

/** The provider's own window: the popup (`POST /certifications`) and the redirect (`GET /certifications/redirect`). */
@Injectable()
export class WindowFlow {
  private readonly logger = new Logger(CERTIFICATION_LOG_CONTEXT);

  constructor(
    @Inject(CERTIFICATION_RESOLVED_OPTIONS) private readonly options: Pick<ResolvedCertificationOptions, 'redirect'>,
    @Inject(CertificationRepository) private readonly certifications: CertificationStore,
    @Inject(IDENTITY_PROVIDER) private readonly provider: IdentityProvider,
    private readonly recorder: CertificationRecorder,
    private readonly reporter: CertificationReporter,
  ) {}

  /**
   * The popup's result: checks the certification with the provider, records it and issues its
   * token, once. 404 CertificationNotFoundError, 409 NotCertifiedError, 409 AlreadyConfirmedError, 502/503.
   */
  async verifyCertification(impUid: string): Promise<VerificationView> {
    const view = await this.recordFromProvider(impUid, true);
    return view!;
  }

  /**
   * The redirect's landing: records the certification WITHOUT a token (a token must not travel
   * in a URL); the front end then posts the imp_uid for it. Idempotent; throws like `verifyCertification`.
   */
  async recordRedirect(impUid: string): Promise<void> {
    await this.recordFromProvider(impUid, false);
  }

  /**
   * Where the redirect sends the browser: the success URL `?imp_uid=` once recorded, else the
   * failure URL `?imp_uid=&error_code=`. Never throws; no personal data in either URL.
   * `success` is the provider's `success` (or legacy `imp_success`) query parameter.
   */
  async redirectTarget(query: { impUid?: unknown; success?: unknown }): Promise<string> {
    const { successUrl, failureUrl } = this.options.redirect;
    const impUid = isImpUid(query.impUid) ? query.impUid : undefined;
    if (impUid === undefined) return appendQuery(failureUrl, { error_code: 'VALIDATION_FAILED' });
    if (String(query.success).toLowerCase() !== 'true') {
      return appendQuery(failureUrl, { imp_uid: impUid, error_code: 'NOT_CERTIFIED' });
    }
    try {
      await this.recordRedirect(impUid);
      return appendQuery(successUrl, { imp_uid: impUid });
    } catch (error) {
      let code = 'INTERNAL_ERROR';
      if (error instanceof DomainError) code = error.code;
      else this.logger.error(`Redirect flow failed: ${(error as Error)?.name ?? typeof error}`);
      return appendQuery(failureUrl, { imp_uid: impUid, error_code: code });
    }
  }

  private async recordFromProvider(impUid: string, issueToken: boolean): Promise<VerificationView | null> {
    if (!isImpUid(impUid)) throw new CertificationNotFoundError();
    const existing = await this.certifications.findLiveByImpUid(impUid);
    if (existing !== null) {
      if (existing.status === 'used') throw new AlreadyConfirmedError();
      if (existing.status === 'verified') return issueToken ? this.recorder.issueForRecorded(existing) : null;
      // An OTP verification that never succeeded here cannot be completed through this path.
      if (existing.status === 'locked' || existing.status === 'expired') throw new NotCertifiedError();
    }
    let certification: IdentityCertification;
    try {
      certification = await this.provider.getCertification(impUid);
    } catch (error) {
      if (error instanceof IdentityProviderError && error.kind === 'not_found') throw new CertificationNotFoundError();
      throw this.reporter.upstreamFailure(error, existing?.flow ?? 'popup', existing?.id);
    }
    if (!certification.certified) throw new NotCertifiedError();
    if (certification.id && certification.id !== impUid) {
      throw new UpstreamError('The identity verification provider answered for another imp_uid');
    }
    if (existing !== null) {
      // A pending OTP verification the provider reports certified: recovered.
      const view = await this.recorder.record(certification, existing, issueToken);
      this.reporter.emit({ type: 'verification_recovered', flow: 'otp', certificationId: existing.id });
      return view;
    }
    try {
      const { id, view } = await this.recorder.insertFromProvider(impUid, certification, issueToken);
      this.reporter.emit({ type: 'popup_verified', flow: 'popup', certificationId: id });
      return view;
    } catch (error) {
      if (!(error instanceof DuplicateImpUidError)) throw error;
      // A concurrent request recorded it first: the unique index on imp_uid decided.
      const winner = await this.certifications.findLiveByImpUid(impUid);
      if (winner === null) throw new CertificationNotFoundError();
      if (winner.status !== 'verified') throw new AlreadyConfirmedError();
      return issueToken ? this.recorder.issueForRecorded(winner) : null;
    }
  }
}
