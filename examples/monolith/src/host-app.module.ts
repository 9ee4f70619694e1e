import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from '@iamport-identity/nest/admin';
import { AgePolicyModule } from '@iamport-identity/nest/age-policy';
import { CertificationModule } from '@iamport-identity/nest/certification';
import { DomainExceptionFilter, createValidationPipe } from '@iamport-identity/nest/common';
import { IamportModule } from '@iamport-identity/nest/iamport';
import { IDENTITY_MIGRATIONS } from '@iamport-identity/nest/migrations';
import { PiiModule } from '@iamport-identity/nest/pii';
import { UserModule } from '@iamport-identity/nest/user';
import { hostConfig, type HostConfig } from './config';
import { MembersController } from './members.controller';
import { InMemoryOtpLimiter } from './otp-limiter';

const host = (config: ConfigService): HostConfig => config.getOrThrow<HostConfig>('host');
const KEEP_VERIFICATION_PII_HOURS = 72;

/**
 * A host monolith with its own configuration and its own TypeORM connection, importing the
 * identity libs with forRootAsync. The libs register their entities on the host's DataSource
 * through `TypeOrmModule.forFeature` (hence `autoLoadEntities`), and get their options from the
 * host's ConfigService.
 */
@Module({})
export class HostAppModule {
  static forRoot(options: { env?: Record<string, string | undefined> } = {}): DynamicModule {
    return {
      module: HostAppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [hostConfig(options.env)] }),
        TypeOrmModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            type: 'postgres',
            url: host(config).databaseUrl,
            // The libs' entities (CertificationEntity, VerificationTokenEntity, UserEntity,
            // AuditLogEntity, UpstreamDeletionEntity) arrive through their forFeature.
            autoLoadEntities: true,
            // The package's schema (append the host's own migrations after it). Never `synchronize`.
            // With several instances booting at once, call runIdentityMigrations before listen instead.
            migrations: [...IDENTITY_MIGRATIONS],
            migrationsRun: true,
            synchronize: false,
            extra: { max: host(config).databasePoolSize },
          }),
        }),
        PiiModule.forRootAsync({ isGlobal: true, inject: [ConfigService], useFactory: (config: ConfigService) => host(config).pii }),
        IamportModule.forRootAsync({ isGlobal: true, inject: [ConfigService], useFactory: (config: ConfigService) => host(config).iamport }),
        AgePolicyModule.forRootAsync({
          isGlobal: true,
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ minAge: host(config).signup.minAge, mode: host(config).signup.ageMode }),
        }),
        CertificationModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            company: host(config).serviceName,
            redirect: host(config).redirect,
            otpRequestLimiter: new InMemoryOtpLimiter(host(config).otpRequestsPerPhone),
            recovery: { intervalSeconds: 60 },
          }),
        }),
        // This host keeps a used verification's copy of the personal data for support for 3 days
        // (the same period in AdminModule, whose retention erases it then); by default the signup erases it.
        UserModule.forRootAsync({ useFactory: () => ({ keepVerificationPiiHours: KEEP_VERIFICATION_PII_HOURS }) }),
        ScheduleModule.forRoot(),
        AdminModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            apiKeys: host(config).adminApiKeys,
            usedVerificationKeepHours: KEEP_VERIFICATION_PII_HOURS,
          }),
        }),
      ],
      controllers: [MembersController],
      providers: [
        // The libs answer in one error envelope with stable codes: the filter and pipe of /common.
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
