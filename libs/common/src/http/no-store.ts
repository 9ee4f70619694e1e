import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
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
