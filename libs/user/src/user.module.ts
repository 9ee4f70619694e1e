import { Module } from '@nestjs/common';
import { UserConfigurableModuleClass } from './user.module-definition';
import { UserService } from './user.service';

/**
 * Accounts keyed by CI (one per person) and the signup endpoint.
 *
 *   UserModule.forRoot({})                       // or forRootAsync({ imports, inject, useFactory })
 *   UserModule.forRoot({ onEvent: (e) => signups.inc({ outcome: e.type }) })
 *
 * Needs, from the host: `AgePolicyService` (AgePolicyModule, global or in forRootAsync's
 * `imports`; the signup applies its policy), and a TypeORM DataSource (default, or
 * `dataSource: 'name'`) with the users, certifications and verification_tokens tables.
 * Exports UserService.
 */
@Module({
  providers: [UserService],
  exports: [UserService],
})
export class UserModule extends UserConfigurableModuleClass {}
