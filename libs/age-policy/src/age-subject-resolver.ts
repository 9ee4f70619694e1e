import type { ExecutionContext } from '@nestjs/common';

/**
 * Tells `AgePolicyGuard` whose age to check; provided by the module that declares the guarded
 * controller (Nest builds `@UseGuards` guards there), or by a global module.
 */
export interface AgeSubjectResolver {
  /**
   * The verified birthday (`YYYY-MM-DD`) of the person the request is about, or `null` when
   * there is none (the guard then lets the handler fail with its own, more precise error).
   */
  resolveBirthday(context: ExecutionContext): Promise<string | null>;
}

/** Injection token of the `AgeSubjectResolver`. */
export const AGE_SUBJECT_RESOLVER = Symbol.for('@app/age-policy:AGE_SUBJECT_RESOLVER');
