import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { CERTIFICATION_DATA_SOURCE, CERTIFICATION_MODULE_OPTIONS } from './certification.constants';
import { CertificationController } from './certification.controller';
import { CertificationEntity } from './entities/certification.entity';
import { VerificationTokenEntity } from './entities/verification-token.entity';
import type { CertificationEventListener, OtpRequestLimiter } from './certification.events';

/** Options of `CertificationModule.forRoot` / `forRootAsync`. */
export interface CertificationModuleOptions {
  /** How long a pending OTP can be confirmed, in seconds (1-600; DESIGN.md: 10 minutes at most). Default 180. */
  otpTtlSeconds?: number;
  /** Wrong confirmations allowed per imp_uid before it locks (1-10). Default 5. */
  otpMaxAttempts?: number;
  /** Lifetime of a verification token, in seconds (>= 1). Default 1800. */
  verificationTokenTtlSeconds?: number;
  /** Service name the carrier shows in the SMS (upstream `company`), unless the request names one. */
  company?: string | null;
  /**
   * Where `GET /certifications/redirect` sends the browser. Absolute http(s) URLs or
   * same-origin paths. Defaults: `/certification/success` and `/certification/failure`
   * (relative, so a front end served on the api's origin needs no configuration).
   */
  redirect?: { successUrl?: string | null; failureUrl?: string | null };
  /** Observer of what happens (metrics): see `CertificationEvent`. Must not throw. */
  onEvent?: CertificationEventListener;
  /** Rate-limit hook of the OTP request (none by default): see `OtpRequestLimiter`. */
  otpRequestLimiter?: OtpRequestLimiter;
  /**
   * Background recovery of confirmations that succeeded upstream but were not recorded here:
   * every `intervalSeconds`, `recoverPending` checks up to `batchSize` pending OTP verifications
   * older than `minAgeSeconds`. Off when unset (call `CertificationService.recoverPending`
   * yourself, e.g. from a scheduler).
   */
  recovery?: { intervalSeconds: number; batchSize?: number; minAgeSeconds?: number } | null;
  /** Source of "now" (tests). Default `() => new Date()`. */
  clock?: () => Date;
}

export interface CertificationModuleExtras {
  /** Register the module globally (default false). */
  isGlobal?: boolean;
  /** Name of the host's TypeORM DataSource to use (default: the default DataSource). */
  dataSource?: string;
  /**
   * Mount `CertificationController` (`/certifications/...`). Default true; false for a host that
   * exposes its own routes over `CertificationService`.
   */
  controller?: boolean;
}

export const {
  ConfigurableModuleClass: CertificationConfigurableModuleClass,
  OPTIONS_TYPE: CERTIFICATION_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CERTIFICATION_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CertificationModuleOptions>({
  moduleName: 'Certification',
  optionsInjectionToken: CERTIFICATION_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<CertificationModuleExtras>({ isGlobal: false, controller: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
    ...withExtras(definition, extras),
  }))
  .build();

export type CertificationModuleForRootOptions = typeof CERTIFICATION_OPTIONS_TYPE;
export type CertificationModuleForRootAsyncOptions = typeof CERTIFICATION_ASYNC_OPTIONS_TYPE;

/**
 * The part of the dynamic module that depends on the extras: the entities registered on the
 * chosen DataSource (`TypeOrmModule.forFeature`), an alias of that DataSource for the services,
 * and the controller unless turned off.
 */
function withExtras(definition: DynamicModule, extras: CertificationModuleExtras): Partial<DynamicModule> {
  return {
    imports: [
      ...(definition.imports ?? []),
      TypeOrmModule.forFeature([CertificationEntity, VerificationTokenEntity], extras.dataSource),
    ],
    providers: [
      ...(definition.providers ?? []),
      { provide: CERTIFICATION_DATA_SOURCE, useExisting: getDataSourceToken(extras.dataSource) },
    ],
    controllers: extras.controller === false ? [] : [CertificationController],
  };
}
