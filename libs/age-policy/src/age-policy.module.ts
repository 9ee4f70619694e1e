import { Module } from '@nestjs/common';
import { AgePolicyGuard } from './age-policy.guard';
import { AgePolicyService } from './age-policy.service';
import { AgePolicyConfigurableModuleClass } from './age-policy.module-definition';

/**
 * `AgePolicyModule.forRoot({ minAge: 14, mode: 'international', isGlobal? })` or `forRootAsync`.
 * To guard routes, the consuming module provides `AGE_SUBJECT_RESOLVER` and uses
 * `@UseGuards(AgePolicyGuard)`: Nest builds the guard there, where the resolver is visible.
 */
@Module({
  providers: [AgePolicyService, AgePolicyGuard],
  exports: [AgePolicyService, AgePolicyGuard],
})
export class AgePolicyModule extends AgePolicyConfigurableModuleClass {}
