import { ConfigurableModuleBuilder } from '@nestjs/common';

/**
 * Options of `PiiModule`, in the raw environment formats (parsed when the module initializes,
 * so malformed keys stop the boot with a `PiiConfigError`).
 */
export interface PiiModuleOptions {
  /** `PII_ENCRYPTION_KEYS`: comma-separated `kid:base64-of-32-bytes`, the first is active. */
  encryptionKeys: string;
  /** `PII_HMAC_KEY`: base64 of at least 32 bytes, separate from the encryption keys. */
  hmacKey: string;
}

export interface PiiModuleExtras {
  /** Register the module globally (default false). */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: PiiConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: PII_MODULE_OPTIONS,
  OPTIONS_TYPE: PII_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: PII_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PiiModuleOptions>({ moduleName: 'Pii' })
  .setClassMethodName('forRoot')
  .setExtras<PiiModuleExtras>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
  }))
  .build();

export type PiiModuleForRootOptions = typeof PII_OPTIONS_TYPE;
export type PiiModuleForRootAsyncOptions = typeof PII_ASYNC_OPTIONS_TYPE;
