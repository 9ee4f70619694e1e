import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from '@app/admin';
import { AgePolicyModule } from '@app/age-policy';
import { CertificationModule } from '@app/certification';
import { DomainExceptionFilter, createValidationPipe } from '@app/common';
import { IamportModule } from '@app/iamport';
import { PiiModule } from '@app/pii';
import { UserModule } from '@app/user';
import { MIGRATIONS } from '../../../migrations/migrations';
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
            // The libs' schema: the project's migrations (append the host's own after them).
            // Never `synchronize`. With several instances booting at once, run them under a lock
            // instead (runMigrationsWithLock of @app/common in a dataSourceFactory, as apps/api does).
            migrations: [...MIGRATIONS],
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
        // The libs answer in one error envelope with stable codes: the filter and pipe of @app/common.
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
