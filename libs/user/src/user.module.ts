import { Module } from '@nestjs/common';
import { AGE_SUBJECT_RESOLVER } from '@app/age-policy';
import { UserConfigurableModuleClass } from './user.module-definition';
import { UserService } from './user.service';
import { VerificationBirthdayResolver } from './verification-birthday.resolver';

/**
 * Accounts keyed by CI (one per person) and the signup endpoint.
 *
 *   UserModule.forRoot({})                       // or forRootAsync({ imports, inject, useFactory })
 *   UserModule.forRoot({ onEvent: (e) => signups.inc({ outcome: e.type }) })
 *
 * Needs, from the host: `AgePolicyService` (AgePolicyModule, global or in forRootAsync's
 * `imports`) for the guard of POST /users, and a TypeORM DataSource (default, or
 * `dataSource: 'name'`) with the users, certifications and verification_tokens tables.
 * Provides AGE_SUBJECT_RESOLVER itself (the guard is built in this module). Exports UserService.
 */
@Module({
  providers: [UserService, VerificationBirthdayResolver, { provide: AGE_SUBJECT_RESOLVER, useExisting: VerificationBirthdayResolver }],
  exports: [UserService],
})
export class UserModule extends UserConfigurableModuleClass {}
