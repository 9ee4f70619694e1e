/**
 * Injection tokens of CertificationModule, in a file of their own so that the services and the
 * module definition can both import them without an import cycle.
 */

/** The module's options (`CertificationModuleOptions`), as given to forRoot / forRootAsync. */
export const CERTIFICATION_MODULE_OPTIONS = Symbol.for('@app/certification:CERTIFICATION_MODULE_OPTIONS');

/** The TypeORM DataSource the module works on (an alias of the host's default or named one). */
export const CERTIFICATION_DATA_SOURCE = Symbol.for('@app/certification:CERTIFICATION_DATA_SOURCE');
