import { Module } from '@nestjs/common';
import { BlindIndex } from './blind-index';
import { PiiCipher } from './pii-cipher';
import { parsePiiKeyMaterial, type PiiKeyMaterial } from './pii-keys';
import { PII_MODULE_OPTIONS, PiiConfigurableModuleClass } from './pii.module-definition';
import type { PiiModuleOptions } from './pii.options';

const PII_KEY_MATERIAL = Symbol('PII_KEY_MATERIAL');

/** Provides `PiiCipher` and `BlindIndex`; keys are parsed at init so bad configuration fails the boot (PiiConfigError). */
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
