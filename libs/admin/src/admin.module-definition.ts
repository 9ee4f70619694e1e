import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AdminModuleExtras, AdminModuleOptions } from './admin.options';

export const {
  ConfigurableModuleClass: AdminConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: ADMIN_MODULE_OPTIONS,
  OPTIONS_TYPE: ADMIN_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ADMIN_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AdminModuleOptions>({ moduleName: 'Admin' })
  .setClassMethodName('forRoot')
  .setExtras<AdminModuleExtras>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
  }))
  .build();

export type AdminModuleForRootOptions = typeof ADMIN_OPTIONS_TYPE;
export type AdminModuleForRootAsyncOptions = typeof ADMIN_ASYNC_OPTIONS_TYPE;
