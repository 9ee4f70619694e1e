import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AppConfig } from '../config/app-config';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CONNECTION } from '../redis/redis.module';
import { RateLimitGuard } from './rate-limit.guard';
import { ADMIN_REQUEST_LIMITER } from '@app/admin';
import { RATE_LIMIT_RULES, SUBJECT_RATE_LIMIT_RULES, rateLimitRules, subjectRateLimitRules } from './rate-limit.rules';
import { RATE_LIMIT_STORAGE, RateLimitService } from './rate-limit.service';
import { MetricsModule } from '../observability/metrics.module';
import { MetricsService } from '../observability/metrics.service';
import { RedisFailurePolicy } from './redis-failure';
import { createThrottlerStorage } from './sliding-window.store';
import { SubjectRateLimiter } from './subject-rate-limiter';

/**
 * The limits routes declare with `@RateLimit` (rate-limit.rules.ts), enforced by a global guard;
 * counters in Redis when there is a connection, in memory otherwise. Needs the global BlindIndex
 * (PiiModule) and REDIS_CONNECTION (RedisModule). Global: `SubjectRateLimiter` is the OTP flow's
 * limiter ports and, as ADMIN_REQUEST_LIMITER, the admin guard's.
 *
 * Not ThrottlerGuard: @nestjs/throttler 6 is CommonJS requiring the ESM-only Nest 12, which Jest's
 * ESM mode cannot load before Node 24.9. Its ThrottlerStorage interface is kept for the counters.
 */
@Module({})
export class RateLimitModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: RateLimitModule,
      global: true,
      imports: [MetricsModule],
      providers: [
        { provide: RATE_LIMIT_RULES, useValue: rateLimitRules(config) },
        { provide: SUBJECT_RATE_LIMIT_RULES, useValue: subjectRateLimitRules(config) },
        {
          provide: RATE_LIMIT_STORAGE,
          inject: [REDIS_CONNECTION, MetricsService],
          useFactory: (redis: RedisConnection | null, metrics: MetricsService) =>
            createThrottlerStorage(redis, new RedisFailurePolicy(config.rateLimitOnRedisFailure, metrics.registry)),
        },
        RateLimitService,
        SubjectRateLimiter,
        { provide: ADMIN_REQUEST_LIMITER, useExisting: SubjectRateLimiter },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [SubjectRateLimiter, ADMIN_REQUEST_LIMITER],
    };
  }
}
