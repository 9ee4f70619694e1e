export { IamportModule } from './iamport.module';
export { IamportClient } from './iamport.client';
export type { IamportModuleOptions, IamportCallEvent } from './iamport.options';
export {
  IamportError,
  IamportApiError,
  IamportAuthError,
  IamportTimeoutError,
  IamportNetworkError,
  IamportCircuitOpenError,
} from './iamport.errors';
export type { IamportOperation } from './iamport.errors';
export type { IamportCertification, IamportOtpRequest, IamportOtpResponse } from './iamport.types';
export { IAMPORT_TOKEN_STORE } from './token-store';
export type { IamportTokenStore, IamportStoredToken } from './token-store';
export { AttemptTimeouts, RetryLoops, RetryRequest, requestedDelay } from './shared-policies';
export { UpstreamBreaker, UPSTREAM_BREAKER_DEFAULTS, isCircuitRefusal } from './upstream-breaker';
export type { BreakerState, UpstreamBreakerOptions } from './upstream-breaker';
// The HTTP layer PortOneModule shares: the same axios defaults and adapter, its own HttpModule.
export { upstreamHttpOptions, destroyOwnAgents, dropEmptyHeaderBuckets, rawExchange, systemErrorCode } from './iamport.http';
export type { RawRequest, UpstreamHttpSettings } from './iamport.http';
export { withOwnHttpModule } from './own-http-module';
