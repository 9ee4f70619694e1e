import { SetMetadata } from '@nestjs/common';
import { isAdminScope, type AdminScope } from './admin-scopes';

export const REQUIRE_SCOPE_METADATA = 'admin:require-scope';

/**
 * The scopes a route (method) or every route of a controller (class) needs; the method's
 * decorator replaces the class's. Enforced by `AdminAuthGuard`. An unknown scope throws when
 * the class loads.
 */
export function RequireScope(...scopes: AdminScope[]): ClassDecorator & MethodDecorator {
  if (scopes.length === 0) throw new TypeError('@RequireScope needs at least one scope');
  for (const scope of scopes) {
    if (!isAdminScope(scope)) throw new TypeError(`@RequireScope: unknown scope "${String(scope)}"`);
  }
  return SetMetadata(REQUIRE_SCOPE_METADATA, Object.freeze([...scopes]));
}
