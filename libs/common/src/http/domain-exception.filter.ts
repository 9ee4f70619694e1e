import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DomainError, ValidationFailedError } from '../domain-error';
import {
  ForbiddenError,
  HttpStatusError,
  InternalError,
  NotFoundRouteError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from './error-codes';
import { NO_STORE } from './no-store';
import { requestIdOf } from './request-id';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
  request_id: string;
}

/** Errors that other layers raise, mapped to domain errors (a hook for libs, e.g. upstream errors). */
export type ErrorMapper = (error: unknown) => DomainError | undefined;

/**
 * The one place where errors become HTTP answers:
 * `{"error": {code, message, details}, "request_id": "..."}`.
 *
 * DomainErrors carry their own code and status. Framework errors (Nest HttpExceptions, body
 * parser errors of Express or Fastify) are mapped to stable codes. Anything else is a 500
 * INTERNAL_ERROR whose message is never shown; it is logged by class name and stack only,
 * since an unexpected error's message could carry data.
 */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');
  private static mappers: ErrorMapper[] = [];

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Lets a lib translate its own error types (called once at module load). */
  static registerMapper(mapper: ErrorMapper): void {
    if (!DomainExceptionFilter.mappers.includes(mapper)) DomainExceptionFilter.mappers.push(mapper);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const request = ctx.getRequest();
    const response = ctx.getResponse();
    const error = this.toDomainError(exception);
    const requestId = requestIdOf(request);
    const body: ErrorBody = {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      },
      request_id: requestId,
    };
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(response, 'x-request-id', requestId);
    adapter.setHeader(response, 'cache-control', NO_STORE);
    if (error.retryAfterSeconds !== undefined) {
      adapter.setHeader(response, 'retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
    }
    adapter.reply(response, body, error.status);
  }

  toDomainError(exception: unknown): DomainError {
    if (exception instanceof DomainError) return exception;
    for (const mapper of DomainExceptionFilter.mappers) {
      const mapped = mapper(exception);
      if (mapped) return mapped;
    }
    const status = statusOf(exception);
    if (status !== undefined && status >= 400 && status < 500) {
      return exception instanceof HttpException
        ? fromHttpException(exception, status)
        : fromFrameworkError(status);
    }
    const err = exception as Error | undefined;
    this.logger.error(`Unhandled ${err?.name ?? typeof exception}`, err?.stack?.split('\n').slice(1, 8).join('\n'));
    return new InternalError();
  }
}

/** A 4xx HttpException thrown by Nest itself or by a host application's own code. */
function fromHttpException(exception: HttpException, status: number): DomainError {
  // Both adapters wrap the errors of their body parsers into an HttpException whose `cause` is
  // the original error (Fastify's FST_ERR_CTP_*, Express' http-errors); Fastify's form parser
  // refuses a `__proto__` key with a plain BadRequestException.
  if (statusOf(exception.cause) !== undefined || /forbidden prototype property/i.test(exception.message)) {
    return fromFrameworkError(status);
  }
  const message = exception.message;
  switch (status) {
    case 400:
      // Nest's built-in pipes (ParseIntPipe, ...) and a host's BadRequestException.
      return new ValidationFailedError([{ field: 'request', message }]);
    case 401:
      return new UnauthorizedError();
    case 403:
      return new ForbiddenError('Forbidden');
    case 404:
    case 405:
      // Nest's own "Cannot GET /x" for an unknown route; a host's NotFoundException keeps its message.
      return new NotFoundRouteError(/^Cannot [A-Z]+ /.test(message) ? 'No such route' : message);
    case 413:
      return new PayloadTooLargeError('Request body too large');
    case 415:
      return new UnsupportedMediaTypeError('Unsupported content type; send application/json');
    case 429:
      return new RateLimitedError(60);
    default:
      return new HttpStatusError(status, message);
  }
}

/**
 * Errors of the HTTP layer below Nest: Express body-parser (`status` + `type`) and Fastify
 * (`statusCode`, `FST_ERR_*`): a body that is not JSON, too large, of another content type.
 */
function fromFrameworkError(status: number): DomainError {
  switch (status) {
    case 404:
      return new NotFoundRouteError('No such route');
    case 413:
      return new PayloadTooLargeError('Request body too large');
    case 415:
      return new UnsupportedMediaTypeError('Unsupported content type; send application/json');
    default:
      return new ValidationFailedError([{ field: 'body', message: 'request body is not valid JSON' }]);
  }
}

function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  if (exception && typeof exception === 'object') {
    const e = exception as { statusCode?: unknown; status?: unknown; type?: unknown };
    // Express body-parser errors carry `status` + `type`; Fastify errors carry `statusCode`.
    if (typeof e.statusCode === 'number') return e.statusCode;
    if (typeof e.status === 'number' && typeof e.type === 'string') return e.status;
  }
  return undefined;
}
