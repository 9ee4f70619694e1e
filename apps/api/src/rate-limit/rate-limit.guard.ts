import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { PerHandler, RATE_LIMIT_METADATA, type RateLimitName } from '@app/common';
import { RateLimitService, type RateLimitedRequest } from './rate-limit.service';

/**
 * The global rate-limit guard: reads the route's `@RateLimit(name)` (method, else class) and
 * leaves the counting of its IP rules to RateLimitService. Guards run before the validation
 * pipe, so an invalid body is counted per IP; the phone is counted later, by the OTP flow.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly declared = new PerHandler((handler, controller) =>
    this.reflector.getAllAndOverride<RateLimitName | undefined>(RATE_LIMIT_METADATA, [handler, controller]),
  );

  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimitService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const limit = this.declared.of(context);
    if (limit === undefined) return true;
    const http = context.switchToHttp();
    const response = http.getResponse<unknown>();
    const adapter = this.adapterHost.httpAdapter;
    await this.limits.hit(limit, http.getRequest<RateLimitedRequest>(), (name, value) => adapter.setHeader(response, name, value));
    return true;
  }
}
