import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DestinationStream } from 'pino';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions } from './database';
import { AdminModule } from '@app/admin';
import { AgePolicyModule } from '@app/age-policy';
import { CertificationModule } from '@app/certification';
import { DomainExceptionFilter, createValidationPipe, disablePreparedStatements, runMigrationsWithLock, startEmbeddedStatistics } from '@app/common';
import { IamportModule } from '@app/iamport';
import { PiiModule } from '@app/pii';
import { PortOneModule } from '@app/portone';
import { UserModule } from '@app/user';
import type { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/app-config.module';
import { APP_CONFIG } from './config/app-config.provider';
import { DemoModule } from './demo/demo.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './observability/metrics.module';
import { MetricsService } from './observability/metrics.service';
import { ObservabilityModule } from './observability/observability.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { SubjectRateLimiter } from './rate-limit/subject-rate-limiter';
import { createRedisConnection, type RedisConnection } from './redis/redis-connection';
import { REDIS_CONNECTION, RedisModule } from './redis/redis.module';
import { iamportTokenStoreFor } from './redis/redis-token-store';
import type { ApiRuntime } from './runtime';

export interface AppModuleOptions {
  config: AppConfig;
  runtime: ApiRuntime;
  /** Where the log lines go instead of stdout, as JSON whatever LOG_FORMAT says (tests capture them). */
  logDestination?: DestinationStream;
}

/**
 * The deployable api: the libs wired to one DataSource and one configuration. Global pipe
 * and filter are registered here (APP_PIPE / APP_FILTER), so a test that builds this module
 * gets exactly the production behaviour.
 */
@Module({})
export class AppModule {
  static forRoot({ config, runtime, logDestination }: AppModuleOptions): DynamicModule {
    // REDIS_URL: rate-limit counters and the upstream token shared by every instance (lazy: no
    // connection until the app initializes; closed at shutdown by RedisModule).
    const redis = config.redisUrl ? createRedisConnection({ url: config.redisUrl, prefix: config.redisKeyPrefix }) : null;
    return {
      module: AppModule,
      imports: [
        // ConfigModule (global) with the validated AppConfig; the factories below inject APP_CONFIG.
        AppConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ level: config.logLevel, format: logDestination ? 'json' : config.logFormat, destination: logDestination }, config.metrics),
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(runtime.database),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options as DataSourceOptions).initialize();
            if (!config.database.preparedStatements) disablePreparedStatements(dataSource);
            await runMigrationsWithLock(dataSource, runtime.database.lockUrl);
            if (runtime.database.embedded) startEmbeddedStatistics(dataSource);
            return dataSource;
          },
        }),
        PiiModule.forRoot({ ...runtime.pii, isGlobal: true }),
        ScheduleModule.forRoot(),
        AdminModule.forRoot({
          apiKeys: config.admin.apiKeys,
          ...config.retention,
        }),
        RedisModule.forRoot(redis),
        RateLimitModule.forRoot(config),
        AgePolicyModule.forRoot({ minAge: config.agePolicy.minAge, mode: config.agePolicy.mode, isGlobal: true }),
        IamportModule.forRootAsync({
          isGlobal: true,
          imports: [MetricsModule],
          inject: [APP_CONFIG, MetricsService, REDIS_CONNECTION],
          useFactory: (config: AppConfig, metrics: MetricsService, redis: RedisConnection | null) => ({
            baseUrl: config.iamport.baseUrl,
            impKey: config.iamport.impKey,
            impSecret: config.iamport.impSecret,
            timeoutMs: config.iamport.timeoutMs,
            callDeadlineMs: config.iamport.callDeadlineMs,
            tokenStore: iamportTokenStoreFor(redis),
            onCall: (event) => metrics.recordUpstreamCall(event),
          }),
        }),
        // IDENTITY_PROVIDER=portone: the V2 client the certification flows use instead.
        ...(config.identityProvider === 'portone'
          ? [
              PortOneModule.forRootAsync({
                isGlobal: true,
                inject: [APP_CONFIG],
                useFactory: (config: AppConfig) => ({
                  baseUrl: config.portone.baseUrl,
                  apiSecret: config.portone.apiSecret,
                  storeId: config.portone.storeId ?? undefined,
                  timeoutMs: config.iamport.timeoutMs,
                  callDeadlineMs: config.iamport.callDeadlineMs,
                }),
              }),
            ]
          : []),
        HealthModule.forRoot({ url: config.redisUrl, rateLimitOnRedisFailure: config.rateLimitOnRedisFailure }),
        CertificationModule.forRootAsync({
          imports: [MetricsModule],
          inject: [APP_CONFIG, MetricsService, SubjectRateLimiter],
          useFactory: (config: AppConfig, metrics: MetricsService, limiter: SubjectRateLimiter) => ({
            otpTtlSeconds: config.otp.ttlSeconds,
            otpMaxAttempts: config.otp.maxAttempts,
            verificationTokenTtlSeconds: config.verificationTokenTtlSeconds,
            company: config.iamport.company,
            provider: config.identityProvider,
            portone: { channelKey: config.portone.channelKey, storeId: config.portone.storeId },
            redirect: { successUrl: config.redirect.successUrl, failureUrl: config.redirect.failureUrl },
            window: { claimWindowSeconds: config.window.claimWindowSeconds, impCode: config.window.impCode, minAge: config.agePolicy.minAge },
            // Records confirmations that succeeded upstream but not here (crash, lost answer), once
            // their OTP window is over (within it, the person's next confirmation recovers them).
            recovery: { intervalSeconds: 60, minAgeSeconds: config.otp.ttlSeconds + 60 },
            // otp_* events -> otp_outcomes_total{outcome}; the others -> domain_events_total{event}
            onEvent: (event) => metrics.record(event),
            // per phone: SMS actually sent (rate-limit.rules.ts), and wrong OTPs per day
            otpRequestLimiter: limiter,
            otpConfirmLimiter: limiter,
          }),
        }),
        ...(config.window.demoPage ? [DemoModule.forRoot({ scriptUrl: config.window.scriptUrl, provider: config.identityProvider })] : []),
        UserModule.forRootAsync({
          imports: [MetricsModule],
          inject: [MetricsService],
          // signup_completed / signup_conflict -> signups_total{outcome}
          useFactory: (metrics: MetricsService) => ({
            onEvent: (event) => metrics.record(event),
            keepVerificationPiiHours: config.retention.usedVerificationKeepHours,
          }),
        }),
      ],
      providers: [
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
