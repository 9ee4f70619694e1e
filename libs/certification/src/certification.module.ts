import { Module } from '@nestjs/common';
import { CertificationConfigurableModuleClass } from './certification.module-definition';
import { CertificationRepository } from './certification.repository';
import { CertificationService } from './certification.service';

/**
 * Identity verification (OTP, popup and redirect flows) and verification tokens.
 *
 *   CertificationModule.forRoot({ otpTtlSeconds: 180, otpMaxAttempts: 5, verificationTokenTtlSeconds: 1800,
 *                                 company: 'My Service', redirect: { successUrl, failureUrl } })
 *   CertificationModule.forRootAsync({ imports, inject, useFactory, isGlobal?, dataSource?, controller? })
 *
 * Needs, from the host: `IamportClient` (IamportModule), `PiiCipher` and `BlindIndex`
 * (PiiModule), global or through `imports` of forRootAsync; a TypeORM DataSource (the default
 * one, or `dataSource: 'name'`) whose schema has the certifications and verification_tokens
 * tables (migrations/). Registers its entities with `TypeOrmModule.forFeature` and mounts
 * `CertificationController` unless `controller: false`. Exports `CertificationService`.
 */
@Module({
  providers: [CertificationRepository, CertificationService],
  exports: [CertificationService],
})
export class CertificationModule extends CertificationConfigurableModuleClass {}
