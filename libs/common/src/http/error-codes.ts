import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../domain-error';

export class NotFoundRouteError extends DomainError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
}

export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
  readonly status = 429;
  constructor(retryAfterSeconds: number, details?: Record<string, unknown>) {
    super('Too many requests; retry later', details, retryAfterSeconds);
  }
}

export class UnauthorizedError extends DomainError {
  readonly code = 'UNAUTHORIZED';
  readonly status = 401;
  constructor(message = 'Missing or invalid credentials') {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly status = 403;
  constructor(message = 'This key lacks the scope the route needs', details?: Record<string, unknown>) {
    super(message, details);
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly status = 413;
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
}

export class InternalError extends DomainError {
  readonly code = 'INTERNAL_ERROR';
  readonly status = 500;
  constructor() {
    super('Internal error');
  }
}

/**
 * Any other 4xx HttpException (e.g. a host application's ConflictException): its status is
 * kept, and the code is the status name (`CONFLICT`, `GONE`, `UNPROCESSABLE_ENTITY`, ...).
 */
export class HttpStatusError extends DomainError {
  readonly code: string;
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.code = (HttpStatus as unknown as Record<number, string | undefined>)[status] ?? `HTTP_${status}`;
  }
}
