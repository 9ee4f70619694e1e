/** Injection tokens of UserModule (own file: no import cycle between module definition and services). */
export const USER_MODULE_OPTIONS = Symbol.for('@app/user:USER_MODULE_OPTIONS');
export const USER_DATA_SOURCE = Symbol.for('@app/user:USER_DATA_SOURCE');
/** The `Database` over the module's DataSource, for its repositories. */
export const USER_DATABASE = Symbol.for('@app/user:USER_DATABASE');
