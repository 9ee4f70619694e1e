/** Injection token of the validated options with defaults filled in. */
export const ADMIN_RESOLVED_OPTIONS = Symbol('ADMIN_RESOLVED_OPTIONS');
/** The `Database` over the default DataSource, for the admin repositories. */
export const ADMIN_DATABASE = Symbol.for('@app/admin:ADMIN_DATABASE');
/**
 * Optional, provided by the host (globally): the `AdminRequestLimiter` the guard calls with the
 * key id of every authenticated admin request. None: admin routes are not rate-limited.
 */
export const ADMIN_REQUEST_LIMITER = Symbol.for('@app/admin:ADMIN_REQUEST_LIMITER');
