/** What an admin API key may do (a route names its scope with `@RequireScope`); see docs/admin.md. */
export const ADMIN_SCOPES = ['verifications:read', 'pii:reveal', 'verifications:erase', 'audit:read', 'users:erase'] as const;

export type AdminScope = (typeof ADMIN_SCOPES)[number];

export function isAdminScope(value: unknown): value is AdminScope {
  return typeof value === 'string' && (ADMIN_SCOPES as readonly string[]).includes(value);
}
