import type { ExecutionContext } from '@nestjs/common';

/**
 * Tells `AgePolicyGuard` whose age to check. The consuming module provides it:
 *
 *   providers: [{ provide: AGE_SUBJECT_RESOLVER, useClass: VerificationBirthdayResolver }]
 *
 * in the module that declares the guarded controller (guards named in `@UseGuards` are
 * instantiated in that module), or in a global module.
 */
export interface AgeSubjectResolver {
  /**
   * The verified birthday (`YYYY-MM-DD`) of the person the request is about, e.g. looked up
   * from the request's `verification_token`; or `null` when there is none, in which case the
   * guard lets the request through and the handler fails with its own error (e.g.
   * VERIFICATION_NOT_FOUND). It must only return birthdays that were verified.
   */
  resolveBirthday(context: ExecutionContext): Promise<string | null>;
}

/** Injection token of the `AgeSubjectResolver`. */
export const AGE_SUBJECT_RESOLVER = Symbol.for('@app/age-policy:AGE_SUBJECT_RESOLVER');
