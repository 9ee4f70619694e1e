import { ConfigurableModuleBuilder } from '@nestjs/common';
import { USER_MODULE_OPTIONS } from './user.constants';
import type { UserModuleExtras, UserModuleOptions } from './user.options';

export const {
  ConfigurableModuleClass: UserConfigurableModuleClass,
  OPTIONS_TYPE: USER_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: USER_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<UserModuleOptions>({ moduleName: 'User', optionsInjectionToken: USER_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setExtras<UserModuleExtras>({ isGlobal: false, controller: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
  }))
  .build();

export type UserModuleForRootOptions = typeof USER_OPTIONS_TYPE;
export type UserModuleForRootAsyncOptions = typeof USER_ASYNC_OPTIONS_TYPE;
