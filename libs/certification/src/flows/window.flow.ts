import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@app/common';
import { FlowBinding, type StartedFlow } from '../binding/flow-binding';
import type { FlowCredentials } from '../binding/flow-credentials';
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

/** The query of the redirect back: V1 `imp_uid` + `success`, or V2 `identityVerificationId` + `code` (only on failure). */
export interface RedirectQuery {
  impUid?: unknown;
  success?: unknown;
  identityVerificationId?: unknown;
  code?: unknown;
}

/**
 * The provider's own window: the popup (`POST /certifications`) and the redirect (`GET
 * /certifications/redirect`). A result is accepted only for a flow started here
 * (`startWindow`) and from the browser holding that flow's secret (see FlowBinding).
 */
@Injectable()
export class WindowFlow {
  private readonly logger = new Logger(CERTIFICATION_LOG_CONTEXT);

  constructor(
    @Inject(CERTIFICATION_RESOLVED_OPTIONS) private readonly options: Pick<ResolvedCertificationOptions, 'redirect'>,
    @Inject(CertificationRepository) private readonly certifications: CertificationStore,
    @Inject(IDENTITY_PROVIDER) private readonly provider: IdentityProvider,
    private readonly recorder: CertificationRecorder,
    private readonly reporter: CertificationReporter,
    private readonly binding: FlowBinding,
  ) {}

  /**
   * Starts a flow: its merchant_uid for `IMP.certification` (V1), or the verification id for
   * `PortOne.requestIdentityVerification` (V2, derived from the merchant_uid), and the secret to bind the browser with.
   */
  async startWindow(clientSecret?: string | null): Promise<StartedFlow> {
    const flow = await this.binding.start(clientSecret);
    return { ...flow, verificationId: this.provider.windowVerificationId?.(flow.merchantUid) ?? null };
  }

  /**
   * The popup's result: checks the certification with the provider and the flow binding, records
   * it and issues its token, once. 404 CertificationNotFoundError, 403 FlowMismatchError,
   * 409 NotCertifiedError / FlowAlreadyClaimedError / AlreadyConfirmedError, 410 FlowExpiredError, 502/503.
   */
  async verifyCertification(impUid: string, credentials: FlowCredentials): Promise<VerificationView> {
    const view = await this.recordFromProvider(impUid, true, credentials);
    return view!;
  }

  /**
   * The redirect's landing: records the certification WITHOUT a token (a token must not travel
   * in a URL); the front end then posts the imp_uid for it. Idempotent; throws like `verifyCertification`.
   */
  async recordRedirect(impUid: string, credentials: FlowCredentials): Promise<void> {
    await this.recordFromProvider(impUid, false, credentials);
  }

  /**
   * Where the redirect sends the browser: the success URL `?imp_uid=` once recorded, else the
   * failure URL `?imp_uid=&error_code=`. Never throws; no personal data in either URL.
   * `success` is the provider's `success` (or legacy `imp_success`) query parameter.
   */
  async redirectTarget(query: RedirectQuery, credentials: FlowCredentials): Promise<string> {
    const { successUrl, failureUrl } = this.options.redirect;
    // V2 (redirectUrl) names the verification identityVerificationId and tells a failure by `code`.
    const v2 = query.impUid === undefined && query.identityVerificationId !== undefined;
    const given = v2 ? query.identityVerificationId : query.impUid;
    const impUid = isImpUid(given) ? given : undefined;
    if (impUid === undefined) return appendQuery(failureUrl, { error_code: 'VALIDATION_FAILED' });
    const success = v2 ? query.code === undefined || query.code === '' : String(query.success).toLowerCase() === 'true';
    if (!success) {
      return appendQuery(failureUrl, { imp_uid: impUid, error_code: 'NOT_CERTIFIED' });
    }
    try {
      await this.recordRedirect(impUid, credentials);
      return appendQuery(successUrl, { imp_uid: impUid });
    } catch (error) {
      let code = 'INTERNAL_ERROR';
      if (error instanceof DomainError) code = error.code;
      else this.logger.error(`Redirect flow failed: ${(error as Error)?.name ?? typeof error}`);
      return appendQuery(failureUrl, { imp_uid: impUid, error_code: code });
    }
  }

  private async recordFromProvider(impUid: string, issueToken: boolean, credentials: FlowCredentials): Promise<VerificationView | null> {
    if (!isImpUid(impUid)) throw new CertificationNotFoundError();
    const existing = await this.certifications.findLiveByImpUid(impUid);
    if (existing !== null && (existing.status === 'verified' || existing.status === 'used')) {
      // Recorded already (by the redirect, or a concurrent post): the binding decides before anything is said about it.
      const flow = await this.binding.authorize(existing.merchantUid, credentials);
      await this.binding.claim(flow, impUid, existing.certifiedAt);
      if (existing.status === 'used') throw new AlreadyConfirmedError();
      return issueToken ? this.recorder.issueForRecorded(existing) : null;
    }
    let certification: IdentityCertification;
    try {
      certification = await this.provider.getCertification(impUid);
    } catch (error) {
      if (error instanceof IdentityProviderError && error.kind === 'not_found') throw new CertificationNotFoundError();
      throw this.reporter.upstreamFailure(error, existing?.flow ?? 'popup', existing?.id);
    }
    if (certification.id && certification.id !== impUid) {
      throw new UpstreamError('The identity verification provider answered for another imp_uid');
    }
    const flow = await this.binding.authorize(certification.merchantUid, credentials);
    // An OTP verification that never succeeded here cannot be completed through this path.
    if (!certification.certified || existing?.status === 'locked' || existing?.status === 'expired') throw new NotCertifiedError();
    await this.binding.claim(flow, impUid, certification.certifiedAt);
    if (existing !== null) {
      // A pending verification of this flow the provider reports certified: recovered.
      const view = await this.recorder.record(certification, existing, issueToken);
      this.reporter.emit({ type: 'verification_recovered', flow: existing.flow, certificationId: existing.id });
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
