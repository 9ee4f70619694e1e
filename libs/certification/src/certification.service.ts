import { Inject, Injectable } from '@nestjs/common';
import { CERTIFICATION_RESOLVED_OPTIONS, IDENTITY_PROVIDER } from './certification.constants';
import type { ResolvedCertificationOptions } from './certification.options';
import type { StartedFlow } from './binding/flow-binding';
import type { FlowCredentials } from './binding/flow-credentials';
import { OtpResendFlow } from './flows/otp-resend.flow';
import { OtpFlow, type OtpRequested } from './flows/otp.flow';
import type { IdentityProvider } from './providers/identity-provider';
import { WindowFlow, type RedirectQuery } from './flows/window.flow';
import { isImpUid } from './input/normalize';
import type { OtpRequestInput } from './input/otp-request';
import { CertificationRecovery, type RecoveryReport } from './recovery/certification-recovery';
import { CertificationRepository, type Certification, type CertificationStore } from './repositories/certification.repository';
import type { VerificationView } from './verification-view';

export type { OtpRequestInput } from './input/otp-request';
export type { OtpRequested } from './flows/otp.flow';
export type { RecoveryReport } from './recovery/certification-recovery';
export type { StartedFlow } from './binding/flow-binding';
export type { FlowCredentials } from './binding/flow-credentials';
export type { RedirectQuery } from './flows/window.flow';

/**
 * Identity verification for hosts and the controller: the OTP flow, the popup and redirect
 * flows and recovery behind one class (each lives in its own service).
 */
@Injectable()
export class CertificationService {
  constructor(
    @Inject(CERTIFICATION_RESOLVED_OPTIONS) readonly options: ResolvedCertificationOptions,
    private readonly otp: OtpFlow,
    private readonly window: WindowFlow,
    private readonly recovery: CertificationRecovery,
    @Inject(CertificationRepository) private readonly certifications: CertificationStore,
    private readonly resend: OtpResendFlow,
    @Inject(IDENTITY_PROVIDER) private readonly provider: IdentityProvider,
  ) {}

  /** The configured identity provider's name (`iamport`, `portone`). */
  get providerName(): string {
    return this.provider.name;
  }

  /** See `OtpResendFlow.resendOtp`. */
  resendOtp(impUid: string, context: { ip?: string | null } = {}): Promise<OtpRequested> {
    return this.resend.resendOtp(impUid, context);
  }

  /** See `OtpFlow.requestOtp`. */
  requestOtp(input: OtpRequestInput, context: { ip?: string | null } = {}): Promise<OtpRequested> {
    return this.otp.requestOtp(input, context);
  }

  /** See `OtpFlow.confirmOtp`. */
  confirmOtp(impUid: string, rawOtp: unknown): Promise<VerificationView> {
    return this.otp.confirmOtp(impUid, rawOtp);
  }

  /** See `WindowFlow.startWindow` (POST /certifications/window). */
  startWindow(clientSecret?: string | null): Promise<StartedFlow> {
    return this.window.startWindow(clientSecret);
  }

  /** See `WindowFlow.verifyCertification` (POST /certifications). */
  verifyCertification(impUid: string, credentials: FlowCredentials): Promise<VerificationView> {
    return this.window.verifyCertification(impUid, credentials);
  }

  /** See `WindowFlow.recordRedirect`. */
  recordRedirect(impUid: string, credentials: FlowCredentials): Promise<void> {
    return this.window.recordRedirect(impUid, credentials);
  }

  /** See `WindowFlow.redirectTarget` (GET /certifications/redirect). */
  redirectTarget(query: RedirectQuery, credentials: FlowCredentials): Promise<string> {
    return this.window.redirectTarget(query, credentials);
  }

  /** See `CertificationRecovery.recoverPending`. */
  recoverPending(options: { limit?: number; minAgeSeconds?: number } = {}): Promise<RecoveryReport> {
    return this.recovery.recoverPending(options);
  }

  /** A verification by imp_uid, unless unknown or erased. */
  async findLive(impUid: string): Promise<Certification | null> {
    return isImpUid(impUid) ? this.certifications.findLiveByImpUid(impUid) : null;
  }
}
