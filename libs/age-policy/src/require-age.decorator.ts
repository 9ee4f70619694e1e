import { SetMetadata } from '@nestjs/common';
import { assertAgeRequirement, type AgeMode } from './age-policy';

/** What a route or controller asks for; a missing field falls back to the module default. */
export interface AgeRequirement {
  /** Minimum age (inclusive). */
  min?: number;
  mode?: AgeMode;
}

export const REQUIRE_AGE_METADATA = 'age-policy:require-age';

/**
 * Sets the age requirement of a route (method) or of every route of a controller (class),
 * enforced by `AgePolicyGuard` (apply it with `@UseGuards(AgePolicyGuard)`).
 *
 * The guard reads it with `Reflector.getAllAndOverride`: a method's `@RequireAge` replaces the
 * class's one entirely (fields it leaves out come from the module defaults, not from the
 * class). Invalid values throw when the decorator is evaluated, i.e. when the class loads.
 */
export function RequireAge(requirement: AgeRequirement = {}): ClassDecorator & MethodDecorator {
  const { min, mode } = requirement ?? {};
  if (min !== undefined || mode !== undefined) {
    assertAgeRequirement(min ?? 0, mode ?? 'international');
  }
  const value: AgeRequirement = Object.freeze({ ...(min !== undefined && { min }), ...(mode !== undefined && { mode }) });
  return SetMetadata(REQUIRE_AGE_METADATA, value);
}
