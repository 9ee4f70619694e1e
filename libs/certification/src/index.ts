export { CertificationModule } from './certification.module';
export type { CertificationModuleOptions, CertificationModuleExtras } from './certification.options';
export type { CertificationModuleForRootOptions, CertificationModuleForRootAsyncOptions } from './certification.module-definition';
export { CERTIFICATION_MODULE_OPTIONS, IDENTITY_PROVIDER } from './certification.constants';
export {
  CertificationService,
  type OtpRequestInput,
  type OtpRequested,
  type RecoveryReport,
  type StartedFlow,
  type FlowCredentials,
  type RedirectQuery,
} from './certification.service';
export { FLOW_SECRET_HEADER, FLOW_COOKIE_PREFIX, flowCookie, secretFor } from './binding/flow-credentials';
export {
  CertificationFlowRepository,
  type CertificationFlowRow,
  type CertificationFlowStore,
} from './repositories/certification-flow.repository';
export type { WindowFlowOptions } from './certification.options';
export type {
  CertificationEvent,
  CertificationEventType,
  CertificationEventListener,
  OtpRequestLimiter,
  OtpConfirmLimiter,
} from './certification.events';
export {
  AlreadyConfirmedError,
  CertificationNotFoundError,
  IdentityKeyMissingError,
  IdentityRejectedError,
  NotCertifiedError,
  OtpAttemptsExceededError,
  OtpExpiredError,
  OtpMismatchError,
  UpstreamError,
  UpstreamUnavailableError,
  DuplicateImpUidError,
  FlowMismatchError,
  FlowAlreadyClaimedError,
  FlowExpiredError,
} from './certification.errors';
export {
  CertificationRepository,
  type Certification,
  type CertificationStore,
  type CertificationListFilter,
  type ListedCertification,
  type PendingValues,
  type ShownCertification,
  type VerifiedValues,
  withoutIdentity,
} from './repositories/certification.repository';
export { VerificationTokenRepository, type VerificationTokenStore } from './repositories/verification-token.repository';
export {
  UPSTREAM_DELETION_PROVIDERS,
  IdentityProviderError,
  type IdentityProvider,
  type IdentityCertification,
  type IdentityOtpRequest,
  type ConfirmRefusal,
} from './providers/identity-provider';
export { IamportIdentityProvider } from './providers/iamport.provider';
export { PortOneIdentityProvider } from './providers/portone.provider';
export type { VerificationView } from './verification-view';
export { hashVerificationToken, isVerificationTokenFormat } from './verification-token';
export { IsVerificationToken } from './input/validators';
export { normalizePhone } from './input/normalize';
export { CertificationEntity, type CertificationStatus, type CertificationFlow } from './entities/certification.entity';
export { VerificationTokenEntity } from './entities/verification-token.entity';
export type { RetentionCutoffs, RetentionDueCounts } from './repositories/certification.repository';
