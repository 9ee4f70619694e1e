import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AgePolicyModuleExtras, AgePolicyModuleOptions } from './age-policy.options';

export const {
  ConfigurableModuleClass: AgePolicyConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: AGE_POLICY_MODULE_OPTIONS,
  OPTIONS_TYPE: AGE_POLICY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AGE_POLICY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AgePolicyModuleOptions>({ moduleName: 'AgePolicy' })
  .setClassMethodName('forRoot')
  .setExtras<AgePolicyModuleExtras>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
  }))
  .build();

export type AgePolicyModuleForRootOptions = typeof AGE_POLICY_OPTIONS_TYPE;
export type AgePolicyModuleForRootAsyncOptions = typeof AGE_POLICY_ASYNC_OPTIONS_TYPE;
