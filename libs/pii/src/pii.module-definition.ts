import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PiiModuleExtras, PiiModuleOptions } from './pii.options';

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
