import { Inject, Injectable } from '@nestjs/common';
import { assertAgeRequirement, evaluate, latestEligibleBirthday, todayInSeoul, type AgeEvaluation, type AgeMode } from './age-policy';
import { AGE_POLICY_MODULE_OPTIONS } from './age-policy.module-definition';
import { DEFAULT_AGE_MODE, DEFAULT_MIN_AGE, type AgePolicyModuleOptions } from './age-policy.options';
import { AgeRestrictedError } from './age-restricted.error';
import type { AgeRequirement } from './require-age.decorator';

/**
 * The age policy with the module's defaults and clock. Options are validated when the module
 * initializes (a bad minAge or mode fails the boot).
 */
@Injectable()
export class AgePolicyService {
  readonly defaults: Readonly<{ minAge: number; mode: AgeMode }>;
  private readonly clock: () => Date;

  constructor(@Inject(AGE_POLICY_MODULE_OPTIONS) options: AgePolicyModuleOptions) {
    const minAge = options?.minAge ?? DEFAULT_MIN_AGE;
    const mode = options?.mode ?? DEFAULT_AGE_MODE;
    try {
      assertAgeRequirement(minAge, mode);
    } catch (error) {
      throw new TypeError(`AgePolicyModule options: ${(error as Error).message}`);
    }
    if (options?.clock !== undefined && typeof options.clock !== 'function') {
      throw new TypeError('AgePolicyModule options: clock must be a function returning a Date');
    }
    this.defaults = Object.freeze({ minAge, mode });
    this.clock = options?.clock ?? (() => new Date());
  }

  /** Today's date in Asia/Seoul by the module's clock. */
  today(): string {
    return todayInSeoul(this.clock());
  }

  /** The requirement with module defaults filled in. */
  resolve(requirement?: AgeRequirement | null): { minAge: number; mode: AgeMode } {
    return {
      minAge: requirement?.min ?? this.defaults.minAge,
      mode: requirement?.mode ?? this.defaults.mode,
    };
  }

  /** Evaluates without throwing (for views that show the age or eligibility). */
  evaluate(birthday: string, requirement?: AgeRequirement | null): AgeEvaluation {
    const { minAge, mode } = this.resolve(requirement);
    return evaluate({ birthday, minAge, mode, now: this.clock() });
  }

  /**
   * The latest birthday (`YYYY-MM-DD`) old enough for the requirement today (module clock,
   * Seoul), or null when none is: for a statement that applies the policy itself
   * (`WHERE birthday <= $cutoff`), as the signup does. Same answers as `check`.
   */
  latestEligibleBirthday(requirement?: AgeRequirement | null): string | null {
    const { minAge, mode } = this.resolve(requirement);
    return latestEligibleBirthday(minAge, mode, this.today());
  }

  /**
   * Throws `AgeRestrictedError` (403, details `{min_age, policy}`) when the person is younger
   * than required; returns the evaluation otherwise. A malformed birthday throws a `TypeError`.
   */
  check(birthday: string, requirement?: AgeRequirement | null): AgeEvaluation {
    const result = this.evaluate(birthday, requirement);
    if (!result.allowed) {
      throw new AgeRestrictedError(result.minAge, result.mode);
    }
    return result;
  }
}
