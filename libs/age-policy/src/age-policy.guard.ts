import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AgePolicyService } from './age-policy.service';
import { AGE_SUBJECT_RESOLVER, type AgeSubjectResolver } from './age-subject-resolver';
import { REQUIRE_AGE_METADATA, type AgeRequirement } from './require-age.decorator';

/**
 * Enforces the age requirement of a route: `@UseGuards(AgePolicyGuard)` with an optional
 * `@RequireAge({ min, mode })` on the method or the controller (method wins, see
 * `RequireAge`); without any `@RequireAge` the module defaults apply.
 *
 * The birthday comes from the `AGE_SUBJECT_RESOLVER` provider of the consuming module. When the
 * resolver returns `null` (no verification behind the request) the guard lets the request
 * through: the handler then fails with its own, more precise error (e.g. VERIFICATION_NOT_FOUND),
 * so the handler must not assume the guard has checked an age. Too young: `AgeRestrictedError`
 * (403 AGE_RESTRICTED), thrown rather than returning false so the client gets the stable code.
 *
 * The resolver is optional at injection so the module can export the guard; a guard run
 * without one throws an error that says what to provide (a 500: a wiring mistake, not a client's).
 */
@Injectable()
export class AgePolicyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly policy: AgePolicyService,
    @Optional() @Inject(AGE_SUBJECT_RESOLVER) private readonly resolver?: AgeSubjectResolver | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.resolver || typeof this.resolver.resolveBirthday !== 'function') {
      throw new Error(
        'AgePolicyGuard has no AGE_SUBJECT_RESOLVER: provide one ({ provide: AGE_SUBJECT_RESOLVER, useClass: ... }) ' +
          'in the module that declares the guarded controller, or in a global module',
      );
    }
    const requirement = this.reflector.getAllAndOverride<AgeRequirement | undefined>(REQUIRE_AGE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    const birthday = await this.resolver.resolveBirthday(context);
    if (birthday === null || birthday === undefined) {
      return true;
    }
    this.policy.check(birthday, requirement);
    return true;
  }
}
