import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AgeMode } from './age-policy';

export interface AgePolicyModuleOptions {
  /** Default minimum age (inclusive) where `@RequireAge` sets none. Default 14. */
  minAge?: number;
  /** Default way of counting. Default `'international'` (만 나이). */
  mode?: AgeMode;
  /** Source of "now" (tests, replays). Default `() => new Date()`. */
  clock?: () => Date;
}

export interface AgePolicyModuleExtras {
  /** Register the module globally (default false). */
  isGlobal?: boolean;
}

export const DEFAULT_MIN_AGE = 14;
export const DEFAULT_AGE_MODE: AgeMode = 'international';

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
