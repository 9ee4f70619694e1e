import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AppConfig } from '../config/app-config';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CONNECTION } from '../redis/redis.module';
import { MetricsModule } from '../observability/metrics.module';
import { MetricsService } from '../observability/metrics.service';
import { RATE_LIMIT_STORAGE, RateLimitGuard } from './rate-limit.guard';
import { RATE_LIMIT_RULES, rateLimitRules } from './rate-limit.rules';
import { RedisFailurePolicy } from './redis-failure';
import { createThrottlerStorage } from './sliding-window.store';

/**
 * Rate limits of the public api (rate-limit.rules.ts), enforced by a global guard. Counters live
 * in Redis when the api has a Redis connection (shared by every instance; this instance's memory
 * while Redis fails), in memory otherwise. Needs the global `BlindIndex` (PiiModule) and
 * `REDIS_CONNECTION` (RedisModule).
 *
 * Why not `ThrottlerModule` + `ThrottlerGuard` of @nestjs/throttler: version 6 is CommonJS and
 * `require`s the ESM-only Nest 12 packages. Node >= 20.19 allows that (require(esm)), but Jest's
 * ESM mode does not before Node 24.9 ("Must use import to load ES Module"), so importing it would
 * make every e2e test of the api fail to load. The guard therefore is ours (40 lines); the
 * counters implement @nestjs/throttler's `ThrottlerStorage` interface (any storage written for
 * it, e.g. another Redis one, can be provided as RATE_LIMIT_STORAGE), and its IP normalization
 * is reused.
 */
@Module({})
export class RateLimitModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: RateLimitModule,
      imports: [MetricsModule],
      providers: [
        { provide: RATE_LIMIT_RULES, useValue: rateLimitRules(config) },
        {
          provide: RATE_LIMIT_STORAGE,
          inject: [REDIS_CONNECTION, MetricsService],
          useFactory: (redis: RedisConnection | null, metrics: MetricsService) =>
            createThrottlerStorage(redis, new RedisFailurePolicy(config.rateLimitOnRedisFailure, metrics.registry)),
        },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    };
  }
}
