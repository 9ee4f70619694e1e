export { DomainError, ValidationFailedError } from './domain-error';
export {
  NotFoundRouteError,
  RateLimitedError,
  UnauthorizedError,
  ForbiddenError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  InternalError,
  HttpStatusError,
} from './http/error-codes';
export { DomainExceptionFilter, type ErrorBody, type ErrorMapper } from './http/domain-exception.filter';
export { createValidationPipe, flattenValidationErrors, MAX_DEPTH } from './http/validation';
export { requestIdOf } from './http/request-id';
export { JsonBodyGuard, isJsonContentType } from './http/json-body.guard';
export { NoStoreGuard, NoStoreInterceptor, NO_STORE } from './http/no-store';
export { JsonEndpoints } from './http/json-endpoints.decorator';
export { NoBody } from './http/no-body.decorator';
export { PerHandler } from './http/per-handler';
export { RateLimit, RATE_LIMIT_METADATA, RATE_LIMIT_NAMES, type RateLimitName } from './http/rate-limit.decorator';
export { startEmbeddedPostgres, type EmbeddedPostgres } from './database/embedded-postgres';
export { isUniqueViolation, PG_UNIQUE_VIOLATION } from './database/pg-errors';
export { runMigrationsWithLock, MIGRATION_LOCK_KEY } from './database/migrate';
export { startEmbeddedStatistics } from './database/embedded-statistics';
export { Database, type Transaction } from './database/database';
export { rowsOf } from './database/rows';
export {
  definePreparedStatement,
  disablePreparedStatements,
  preparedStatementFor,
  queryPrepared,
  type PreparedStatement,
} from './database/prepared-statement';
export {
  ApiErrorResponses,
  API_ERROR_CODES_EXTENSION,
  API_ERROR_CASES_METADATA,
  API_JSON_BODY_ERRORS,
  ErrorEnvelope,
  ErrorInfo,
  apiRateLimited,
  apiValidationFailed,
  type ApiErrorCase,
  type ApiErrorCaseInput,
} from './http/api-error-responses';
