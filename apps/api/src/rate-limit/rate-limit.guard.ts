import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { RATE_LIMIT_METADATA, type RateLimitName } from '@app/common';
import { RateLimitService, type RateLimitedRequest } from './rate-limit.service';

/**
 * The global rate-limit guard: reads the route's `@RateLimit(name)` (method, else class) and
 * leaves the counting of its IP rules to RateLimitService. Guards run before the validation
 * pipe, so an invalid body is counted per IP; the phone is counted later, by the OTP flow.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly declared = new WeakMap<object, WeakMap<object, RateLimitName | null>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimitService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const limit = this.limitOf(context.getHandler(), context.getClass());
    if (limit === undefined) return true;
    const http = context.switchToHttp();
    const response = http.getResponse<unknown>();
    const adapter = this.adapterHost.httpAdapter;
    await this.limits.hit(limit, http.getRequest<RateLimitedRequest>(), (name, value) => adapter.setHeader(response, name, value));
    return true;
  }

  /** The declared limit of a handler (method, else class), read through the Reflector once per handler and class. */
  private limitOf(handler: ReturnType<ExecutionContext['getHandler']>, controller: ReturnType<ExecutionContext['getClass']>): RateLimitName | undefined {
    let handlers = this.declared.get(controller);
    if (!handlers) this.declared.set(controller, (handlers = new WeakMap()));
    if (handlers.has(handler)) return handlers.get(handler) ?? undefined;
    const limit = this.reflector.getAllAndOverride<RateLimitName | undefined>(RATE_LIMIT_METADATA, [handler, controller]);
    handlers.set(handler, limit ?? null);
    return limit;
  }
}
