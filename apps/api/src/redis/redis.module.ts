import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { RedisConnection } from './redis-connection';

/** Injection token of the api's `RedisConnection | null` (null without `REDIS_URL`). */
export const REDIS_CONNECTION = Symbol.for('iamport-backend.redis-connection');

class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(@Inject(REDIS_CONNECTION) private readonly redis: RedisConnection | null) {}

  /**
   * Connects at boot and says so. An unreachable Redis does not stop the boot: the instance
   * then limits and caches in its own memory (logged), and switches back once Redis answers.
   */
  async onModuleInit(): Promise<void> {
    if (!this.redis) return;
    try {
      await this.redis.client.connect();
      await this.redis.client.ping();
      this.logger.log(`Redis connected: rate limits and the upstream token are shared (key prefix "${this.redis.prefix}")`);
    } catch (error) {
      this.logger.error(
        `Redis did not answer at boot (${(error as Error).name}); rate limits and the upstream token are per instance until it does`,
      );
    }
  }

  /** Runs after the HTTP server and the other modules are closed (Nest's last hook). */
  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}

/**
 * Holds the api's Redis connection (created by `createRedisConnection`, or `null`) for the
 * whole application (global), connects it at boot and closes it at shutdown.
 */
@Module({})
export class RedisModule {
  static forRoot(connection: RedisConnection | null): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [{ provide: REDIS_CONNECTION, useValue: connection }, RedisLifecycle],
      exports: [REDIS_CONNECTION],
    };
  }
}
