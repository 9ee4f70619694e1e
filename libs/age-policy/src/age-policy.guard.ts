import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PerHandler } from '@app/common';
import { AgePolicyService } from './age-policy.service';
import { AGE_SUBJECT_RESOLVER, type AgeSubjectResolver } from './age-subject-resolver';
import { REQUIRE_AGE_METADATA, type AgeRequirement } from './require-age.decorator';

/**
 * `@UseGuards(AgePolicyGuard)` + optional `@RequireAge` (method over controller, else the module
 * defaults); delegates to `AgePolicyService`. Throws AgeRestrictedError (403) rather than
 * returning false, so the client gets the stable code. The resolver is optional at injection
 * so the module can export the guard; running without one is a wiring mistake (500).
 */
@Injectable()
export class AgePolicyGuard implements CanActivate {
  private readonly requirements = new PerHandler((handler, controller) =>
    this.reflector.getAllAndOverride<AgeRequirement | undefined>(REQUIRE_AGE_METADATA, [handler, controller]),
  );

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
    const requirement = this.requirements.of(context);
    const birthday = await this.resolver.resolveBirthday(context);
    if (birthday === null || birthday === undefined) {
      return true;
    }
    this.policy.check(birthday, requirement);
    return true;
  }
}
