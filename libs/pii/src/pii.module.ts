import { Module } from '@nestjs/common';
import { BlindIndex } from './blind-index';
import { PiiCipher } from './pii-cipher';
import { parsePiiKeyMaterial, type PiiKeyMaterial } from './pii-keys';
import { PII_MODULE_OPTIONS, PiiConfigurableModuleClass } from './pii.module-definition';
import type { PiiModuleOptions } from './pii.options';

const PII_KEY_MATERIAL = Symbol('PII_KEY_MATERIAL');

/**
 * Provides `PiiCipher` and `BlindIndex`.
 *
 *   PiiModule.forRoot({ encryptionKeys: env.PII_ENCRYPTION_KEYS, hmacKey: env.PII_HMAC_KEY })
 *   PiiModule.forRootAsync({ inject: [ConfigService], useFactory: (c) => ({...}), isGlobal: true })
 *
 * The keys are parsed (and checked: sizes, unique kids, HMAC key separate) while the module
 * initializes, so bad configuration fails the boot with a `PiiConfigError`.
 */
@Module({
  providers: [
    {
      provide: PII_KEY_MATERIAL,
      useFactory: (options: PiiModuleOptions): PiiKeyMaterial => parsePiiKeyMaterial(options),
      inject: [PII_MODULE_OPTIONS],
    },
    {
      provide: PiiCipher,
      useFactory: (keys: PiiKeyMaterial) => new PiiCipher(keys.encryptionKeys),
      inject: [PII_KEY_MATERIAL],
    },
    {
      provide: BlindIndex,
      useFactory: (keys: PiiKeyMaterial) => new BlindIndex(keys.hmacKey),
      inject: [PII_KEY_MATERIAL],
    },
  ],
  exports: [PiiCipher, BlindIndex],
})
export class PiiModule extends PiiConfigurableModuleClass {}
