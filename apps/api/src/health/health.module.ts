import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { REDIS_HEALTH_OPTIONS, RedisHealthIndicator, type RedisHealthOptions } from './redis.health';
import { UpstreamHealthIndicator } from './upstream.health';

/**
 * /health/live and /health/ready (see HealthController). Needs the application's TypeORM
 * DataSource and the global IamportClient.
 */
@Module({})
export class HealthModule {
  static forRoot(options: RedisHealthOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [HealthController],
      providers: [{ provide: REDIS_HEALTH_OPTIONS, useValue: options }, UpstreamHealthIndicator, RedisHealthIndicator],
    };
  }
}
