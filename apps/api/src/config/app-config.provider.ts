/** Injection token of the validated AppConfig (global: AppConfigModule). */
export const APP_CONFIG = Symbol.for('iamport-backend.app-config');

/** ConfigService namespace of the AppConfig: `config.get('app', { infer: true })`. */
export const APP_CONFIG_NAMESPACE = 'app';
