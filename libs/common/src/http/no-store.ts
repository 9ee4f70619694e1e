import { Injectable, type CallHandler, type CanActivate, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Observable } from 'rxjs';

/** The header of every answer that may carry a verification token or personal data. */
export const NO_STORE = 'no-store';

/**
 * Sets `Cache-Control: no-store` on a route's answer (success; the exception filter sets it on
 * errors), so no browser or shared cache keeps a token or revealed personal data.
 */
@Injectable()
export class NoStoreInterceptor implements NestInterceptor {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      this.adapterHost.httpAdapter.setHeader(context.switchToHttp().getResponse(), 'cache-control', NO_STORE);
    }
    return next.handle();
  }
}

/**
 * The same header from a guard, as `@JsonEndpoints()` applies it: set before the handler like the
 * interceptor, without routing each request of the controller through rxjs (docs/performance.md).
 */
@Injectable()
export class NoStoreGuard implements CanActivate {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'http') {
      this.adapterHost.httpAdapter.setHeader(context.switchToHttp().getResponse(), 'cache-control', NO_STORE);
    }
    return true;
  }
}
