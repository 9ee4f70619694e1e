/** Injection token of the validated options with defaults filled in. */
export const ADMIN_RESOLVED_OPTIONS = Symbol('ADMIN_RESOLVED_OPTIONS');
/** The `Database` over the default DataSource, for the admin repositories. */
export const ADMIN_DATABASE = Symbol.for('@app/admin:ADMIN_DATABASE');
