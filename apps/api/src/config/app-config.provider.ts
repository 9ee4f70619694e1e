/** Injection token of the validated AppConfig. */
export const APP_CONFIG = Symbol.for('iamport-backend.app-config');
