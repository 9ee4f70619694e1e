/** Injection tokens of UserModule (own file: no import cycle between module definition and services). */
export const USER_MODULE_OPTIONS = Symbol.for('@app/user:USER_MODULE_OPTIONS');
export const USER_DATA_SOURCE = Symbol.for('@app/user:USER_DATA_SOURCE');
