import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Database } from '@app/common';
import {
  CERTIFICATION_DATABASE,
  CERTIFICATION_DATA_SOURCE,
  CERTIFICATION_MODULE_OPTIONS,
  CERTIFICATION_RESOLVED_OPTIONS,
} from './certification.constants';
import { FlowBinding } from './binding/flow-binding';
import { RedirectRateLimitFilter } from './binding/redirect-rate-limit.filter';
import { CertificationController } from './certification.controller';
import {
  CertificationConfigurableModuleClass,
  type CertificationModuleForRootAsyncOptions,
  type CertificationModuleForRootOptions,
} from './certification.module-definition';
import { resolveCertificationOptions, type CertificationModuleExtras } from './certification.options';
import { CertificationReporter } from './certification.reporter';
import { CertificationService } from './certification.service';
import { CertificationEntity } from './entities/certification.entity';
import { VerificationTokenEntity } from './entities/verification-token.entity';
import { OtpResendFlow } from './flows/otp-resend.flow';
import { OtpFlow } from './flows/otp.flow';
import { WindowFlow } from './flows/window.flow';
import { identityProvider } from './providers/provider.factory';
import { CertificationRecorder } from './recording/certification-recorder';
import { CertificationRecovery } from './recovery/certification-recovery';
import { CertificationRecoveryJob } from './recovery/recovery.job';
import { CertificationFlowRepository } from './repositories/certification-flow.repository';
import { CertificationRepository } from './repositories/certification.repository';
import { VerificationTokenRepository } from './repositories/verification-token.repository';

/**
 * Identity verification (OTP, popup and redirect flows) and verification tokens.
 *
 *   CertificationModule.forRoot({ otpTtlSeconds, otpMaxAttempts, verificationTokenTtlSeconds, company, redirect, recovery })
 *   CertificationModule.forRootAsync({ imports, inject, useFactory, isGlobal?, dataSource?, controller? })
 *
 * Needs from the host: `IamportClient` (IamportModule), or `PortOneClient` (PortOneModule) with `provider: 'portone'`, `PiiCipher` and `BlindIndex` (PiiModule),
 * a TypeORM DataSource (default, or `dataSource: 'name'`) with the certifications and
 * verification_tokens and certification_flows tables (migrations/), and `ScheduleModule.forRoot()` for `recovery`.
 * Exports `CertificationService` and the repositories of its two tables.
 */
@Module({
  providers: [
    {
      provide: CERTIFICATION_RESOLVED_OPTIONS,
      inject: [CERTIFICATION_MODULE_OPTIONS],
      useFactory: resolveCertificationOptions,
    },
    {
      provide: CERTIFICATION_DATABASE,
      inject: [CERTIFICATION_DATA_SOURCE],
      useFactory: (dataSource: DataSource) => new Database(dataSource),
    },
    identityProvider,
    CertificationRepository,
    VerificationTokenRepository,
    CertificationFlowRepository,
    FlowBinding,
    RedirectRateLimitFilter,
    CertificationReporter,
    CertificationRecorder,
    OtpFlow,
    OtpResendFlow,
    WindowFlow,
    CertificationRecovery,
    CertificationRecoveryJob,
    CertificationService,
  ],
  exports: [CertificationService, CertificationRepository, VerificationTokenRepository, CertificationFlowRepository],
})
export class CertificationModule extends CertificationConfigurableModuleClass {
  static forRoot(options: CertificationModuleForRootOptions = {}): DynamicModule {
    return withFeature(super.forRoot(options), options);
  }

  static forRootAsync(options: CertificationModuleForRootAsyncOptions): DynamicModule {
    return withFeature(super.forRootAsync(options), options);
  }
}

/** The entities on the chosen DataSource, an alias of it for the repositories, and the controller unless turned off. */
function withFeature(definition: DynamicModule, extras: CertificationModuleExtras): DynamicModule {
  const dataSource: Provider = { provide: CERTIFICATION_DATA_SOURCE, useExisting: getDataSourceToken(extras.dataSource) };
  return {
    ...definition,
    imports: [...(definition.imports ?? []), TypeOrmModule.forFeature([CertificationEntity, VerificationTokenEntity], extras.dataSource)],
    providers: [...(definition.providers ?? []), dataSource],
    controllers: extras.controller === false ? [] : [CertificationController],
  };
}
