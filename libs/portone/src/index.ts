export { PortOneModule } from './portone.module';
export {
  PortOneClient,
  type IdentityVerificationApi,
  type IdentityVerificationObject,
  type VerifiedIdentityVerification,
  type PortOneOperator,
  type SendIdentityVerificationInput,
} from './portone.client';
export { PORTONE_IDENTITY_VERIFICATION_API } from './portone.constants';
export type { PortOneModuleOptions, PortOneCallEvent, PortOneCallOutcome, PortOneTransport } from './portone.options';
export {
  PortOneCallError,
  PortOneApiError,
  IdentityVerificationNotFoundError,
  IdentityVerificationAlreadyVerifiedError,
  IdentityVerificationAlreadySentError,
  IdentityVerificationNotSentError,
  InvalidRequestError,
  UnauthorizedError,
  ForbiddenError,
  ChannelNotFoundError,
  MaxTransactionCountReachedError,
  PgProviderError,
  UnrecognizedPortOneError,
  PortOneTimeoutError,
  PortOneNetworkError,
  PortOneCircuitOpenError,
  type PortOneOperation,
} from './portone.errors';
