/** Injection tokens of CertificationModule, in a file of their own so nothing imports the module to get one. */

/** The module's options (`CertificationModuleOptions`), as given to forRoot / forRootAsync. */
export const CERTIFICATION_MODULE_OPTIONS = Symbol.for('@app/certification:CERTIFICATION_MODULE_OPTIONS');

/** The options validated and with their defaults (`ResolvedCertificationOptions`). */
export const CERTIFICATION_RESOLVED_OPTIONS = Symbol.for('@app/certification:CERTIFICATION_RESOLVED_OPTIONS');

/** The TypeORM DataSource the module works on (an alias of the host's default or named one). */
export const CERTIFICATION_DATA_SOURCE = Symbol.for('@app/certification:CERTIFICATION_DATA_SOURCE');

/** The `Database` of the repositories, built on CERTIFICATION_DATA_SOURCE. */
export const CERTIFICATION_DATABASE = Symbol.for('@app/certification:CERTIFICATION_DATABASE');

/** The `IdentityProvider` the flows talk to (default: `IamportIdentityProvider`). */
export const IDENTITY_PROVIDER = Symbol.for('@app/certification:IDENTITY_PROVIDER');
