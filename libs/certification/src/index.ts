export { CertificationModule } from './certification.module';
export {
  type CertificationModuleOptions,
  type CertificationModuleExtras,
  type CertificationModuleForRootOptions,
  type CertificationModuleForRootAsyncOptions,
} from './certification.module-definition';
export { CERTIFICATION_MODULE_OPTIONS } from './certification.constants';
export {
  CertificationService,
  type OtpRequestInput,
  type OtpRequested,
  type RecoveryReport,
} from './certification.service';
export type {
  CertificationEvent,
  CertificationEventType,
  CertificationEventListener,
  OtpRequestLimiter,
} from './certification.events';
export {
  AlreadyConfirmedError,
  CertificationNotFoundError,
  IdentityRejectedError,
  NotCertifiedError,
  OtpAttemptsExceededError,
  OtpExpiredError,
  OtpMismatchError,
  UpstreamError,
  UpstreamUnavailableError,
} from './certification.errors';
export type { VerificationView } from './verification-view';
export { hashVerificationToken, isVerificationTokenFormat } from './verification-token';
export { IsVerificationToken } from './input/validators';
export { normalizePhone } from './input/normalize';
export { CertificationEntity, type CertificationStatus, type CertificationFlow } from './entities/certification.entity';
export { VerificationTokenEntity } from './entities/verification-token.entity';
