import { DomainError } from '@app/common';
import type { AgeMode } from './age-policy';

/**
 * The verified person is younger than the route's minimum age. 403 with
 * `details: { min_age, policy }` (policy = the age mode). Neither the birthday nor the age is
 * included: both are personal data.
 */
export class AgeRestrictedError extends DomainError {
  readonly code = 'AGE_RESTRICTED';
  readonly status = 403;

  constructor(
    readonly minAge: number,
    readonly policy: AgeMode,
  ) {
    super(
      `This requires a minimum age of ${minAge} (${policy === 'international' ? 'international age, 만 나이' : 'calendar-year age, 연 나이'})`,
      { min_age: minAge, policy },
    );
  }
}
