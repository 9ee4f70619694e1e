import { Module } from '@nestjs/common';
import { AgePolicyGuard } from './age-policy.guard';
import { AgePolicyService } from './age-policy.service';
import { AgePolicyConfigurableModuleClass } from './age-policy.module-definition';

/**
 * `AgePolicyModule.forRoot({ minAge: 14, mode: 'international' })` or `forRootAsync(...)`;
 * `isGlobal: true` to register it once for the whole app.
 *
 * Exports `AgePolicyService` and `AgePolicyGuard`. To guard routes, the consuming module
 * imports this module, provides `AGE_SUBJECT_RESOLVER` itself, and uses
 * `@UseGuards(AgePolicyGuard)` (+ `@RequireAge(...)`) on its controllers; Nest builds the guard
 * in the controller's module, where the resolver is visible. (The exported guard instance of
 * this module sees only a global resolver.)
 */
@Module({
  providers: [AgePolicyService, AgePolicyGuard],
  exports: [AgePolicyService, AgePolicyGuard],
})
export class AgePolicyModule extends AgePolicyConfigurableModuleClass {}
