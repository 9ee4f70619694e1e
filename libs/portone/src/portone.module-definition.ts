import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PortOneModuleOptions } from './portone.options';

export const {
  ConfigurableModuleClass: PortOneConfigurableModule,
  MODULE_OPTIONS_TOKEN: PORTONE_MODULE_OPTIONS,
  OPTIONS_TYPE: PORTONE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: PORTONE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PortOneModuleOptions>({ moduleName: 'PortOne' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
