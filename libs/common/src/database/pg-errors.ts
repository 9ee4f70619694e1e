/** PostgreSQL SQLSTATE for unique_violation. */
export const PG_UNIQUE_VIOLATION = '23505';

interface PgErrorLike {
  code?: string;
  constraint?: string;
  driverError?: PgErrorLike;
}

/**
 * True when `error` (a `pg` error, or TypeORM's QueryFailedError wrapping one) is a unique
 * violation, optionally of the named constraint or index.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as PgErrorLike;
  const inner = e.driverError ?? e;
  if (inner.code !== PG_UNIQUE_VIOLATION && e.code !== PG_UNIQUE_VIOLATION) return false;
  return constraint === undefined || inner.constraint === constraint || e.constraint === constraint;
}
