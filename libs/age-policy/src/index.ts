export {
  AgePolicy,
  AGE_MODES,
  todayInSeoul,
  internationalAge,
  calendarYearAge,
  ageOf,
  evaluate,
  latestEligibleBirthday,
  type AgeMode,
  type AgeEvaluation,
  type EvaluateAgeInput,
} from './age-policy';
export { AgeRestrictedError } from './age-restricted.error';
export { AgePolicyModule } from './age-policy.module';
export {
  AGE_POLICY_MODULE_OPTIONS,
  type AgePolicyModuleForRootOptions,
  type AgePolicyModuleForRootAsyncOptions,
} from './age-policy.module-definition';
export { DEFAULT_MIN_AGE, DEFAULT_AGE_MODE, type AgePolicyModuleOptions, type AgePolicyModuleExtras } from './age-policy.options';
export { AgePolicyService } from './age-policy.service';
export { AgePolicyGuard } from './age-policy.guard';
export { RequireAge, REQUIRE_AGE_METADATA, type AgeRequirement } from './require-age.decorator';
export { AGE_SUBJECT_RESOLVER, type AgeSubjectResolver } from './age-subject-resolver';
