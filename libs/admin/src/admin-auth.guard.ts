import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AdminKeyService } from './admin-key.service';
import type { AdminScope } from './admin-scopes';
import { setAdminPrincipal } from './admin-request';
import { REQUIRE_SCOPE_METADATA } from './require-scope.decorator';

/**
 * Guards admin routes: reads the scopes of `@RequireScope(...)` (method, else class) and leaves
 * the decision to `AdminKeyService` (401 UNAUTHORIZED without a valid key, 403 FORBIDDEN
 * without the scope). A guarded route without `@RequireScope` is refused (fail closed): that is
 * a wiring mistake, answered 500 and logged by the exception filter.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: AdminKeyService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const scopes = this.reflector.getAllAndOverride<readonly AdminScope[] | undefined>(REQUIRE_SCOPE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!scopes || scopes.length === 0) {
      throw new Error(`AdminAuthGuard: ${context.getClass().name}.${context.getHandler().name} has no @RequireScope`);
    }
    const request = context.switchToHttp().getRequest<{ headers?: Record<string, unknown> }>();
    const principal = this.keys.authorize(request.headers?.authorization, scopes);
    setAdminPrincipal(request, principal);
    return true;
  }
}
