import { Inject, Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import type { RedisFailureMode } from '../config/app-config';
import { redisFailureModes } from '../rate-limit/redis-failure';

/** Options of the Redis readiness check (HealthModule.forRoot). */
export const REDIS_HEALTH_OPTIONS = Symbol.for('iamport-backend.redis-health-options');

export interface RedisHealthOptions {
  /** REDIS_URL; null: no Redis configured, no check. */
  url: string | null;
  /** RATE_LIMIT_ON_REDIS_FAILURE (null: the per-limit default), reported while Redis is down. */
  rateLimitOnRedisFailure?: RedisFailureMode | null;
}

/**
 * The api's shared Redis connection, when the app provides one (`{ client }` under this global
 * token, or null without REDIS_URL). Looked up by its `Symbol.for` key so that health does not
 * depend on the module that owns the connection.
 */
const APP_REDIS_CONNECTION = Symbol.for('iamport-backend.redis-connection');

interface RedisConnectionLike {
  client: Pick<Redis, 'ping'>;
}

/**
 * `PING` on Redis, when REDIS_URL is set. Uses the application's own Redis connection when there
 * is one (what the rate limiter and token cache use is what gets checked); otherwise a dedicated
 * connection of its own, opened lazily on the first check. The URL is never logged or reported.
 * Down, the detail says what the rate limits do meanwhile (`rate_limits`: fail-closed or local).
 */
@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly logger = new Logger('RedisHealth');
  private own: Redis | null = null;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS_HEALTH_OPTIONS) private readonly options: RedisHealthOptions,
    @Optional() @Inject(APP_REDIS_CONNECTION) private readonly shared?: RedisConnectionLike | null,
  ) {}

  get configured(): boolean {
    return this.options.url !== null;
  }

  async pingCheck<const Key extends string>(key: Key, timeoutMs = 1000): Promise<HealthIndicatorResult<Key>> {
    const session = this.indicators.check(key);
    const result = await session
      .attempt(async () => {
        const answer = await this.client().ping();
        if (answer !== 'PONG') throw new Error('unexpected answer to PING');
      })
      .withTimeout(timeoutMs);
    if (result[key].status === 'up') return result;
    // Our own message: the client's error text can name the host.
    const modes = redisFailureModes(this.options.rateLimitOnRedisFailure ?? null);
    return session.down({
      message: 'Redis does not answer',
      responseTime: result[key].responseTime,
      rate_limits: modes,
    });
  }

  private client(): Pick<Redis, 'ping'> {
    if (this.shared?.client) return this.shared.client;
    if (!this.own) {
      if (!this.options.url) throw new Error('REDIS_URL is not set');
      this.own = new Redis(this.options.url, {
        lazyConnect: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        commandTimeout: 1000,
        retryStrategy: (times) => Math.min(200 * times, 3000),
        connectionName: 'iamport-backend-health',
      });
      let lastLog = 0;
      this.own.on('error', (error: Error & { code?: string }) => {
        if (Date.now() - lastLog < 10_000) return;
        lastLog = Date.now();
        this.logger.warn(`Redis health connection error (${error.code ?? error.name})`);
      });
    }
    return this.own;
  }

  onModuleDestroy(): void {
    this.own?.disconnect(false);
    this.own = null;
  }
}
