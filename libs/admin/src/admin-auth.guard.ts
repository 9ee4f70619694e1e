import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PerHandler } from '@app/common';
import { AdminKeyService } from './admin-key.service';
import { ADMIN_REQUEST_LIMITER } from './admin.constants';
import type { AdminRequestLimiter } from './admin.options';
import type { AdminScope } from './admin-scopes';
import { setAdminPrincipal } from './admin-request';
import { REQUIRE_SCOPE_METADATA } from './require-scope.decorator';

/**
 * Guards admin routes: reads the scopes of `@RequireScope(...)` (method, else class) and leaves
 * the decision to `AdminKeyService` (401 UNAUTHORIZED without a valid key, 403 FORBIDDEN
 * without the scope), then counts the key against the host's `ADMIN_REQUEST_LIMITER` (429). A
 * guarded route without `@RequireScope` is refused (fail closed): that is a wiring mistake,
 * answered 500 and logged by the exception filter.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly scopes = new PerHandler((handler, controller) =>
    this.reflector.getAllAndOverride<readonly AdminScope[] | undefined>(REQUIRE_SCOPE_METADATA, [handler, controller]),
  );

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: AdminKeyService,
    @Optional() @Inject(ADMIN_REQUEST_LIMITER) private readonly limiter: AdminRequestLimiter | null = null,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const scopes = this.scopes.of(context);
    if (!scopes || scopes.length === 0) {
      throw new Error(`AdminAuthGuard: ${context.getClass().name}.${context.getHandler().name} has no @RequireScope`);
    }
    const request = context.switchToHttp().getRequest<{ headers?: Record<string, unknown> }>();
    const principal = this.keys.authorize(request.headers?.authorization, scopes);
    setAdminPrincipal(request, principal);
    if (!this.limiter) return true;
    return this.limiter.beforeAdminRequest({ keyId: principal.keyId }).then(() => true);
  }
}
