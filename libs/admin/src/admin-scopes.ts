/**
 * What an admin API key may do. A key holds any combination; a route names the scope it needs
 * with `@RequireScope(...)`.
 *
 * - `verifications:read`: list and read verifications (masked) and look users up (by id or CI);
 * - `pii:reveal`: additionally see the full name, phone, CI and DI of one verification
 *   (`?reveal=true`, audited);
 * - `verifications:erase`: erase a verification's personal data here and upstream (audited);
 * - `audit:read`: read the audit log.
 */
export const ADMIN_SCOPES = ['verifications:read', 'pii:reveal', 'verifications:erase', 'audit:read'] as const;

export type AdminScope = (typeof ADMIN_SCOPES)[number];

export function isAdminScope(value: unknown): value is AdminScope {
  return typeof value === 'string' && (ADMIN_SCOPES as readonly string[]).includes(value);
}
