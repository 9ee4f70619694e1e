import { Controller, Get, Header, UseFilters } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { HealthCheckFailedFilter } from './health-check-failed.filter';
import { RedisHealthIndicator } from './redis.health';
import { UpstreamHealthIndicator } from './upstream.health';

/**
 * Probes, in terminus' format (`{status, info, error, details}`; 200 when ok, 503 otherwise).
 * - GET /health/live: the process answers HTTP; no dependency is checked (a database outage
 *   must not get every instance restarted).
 * - GET /health/ready: `database` (SELECT 1 through the app's DataSource), `upstream` (the
 *   i'mport client's circuit breaker is not open) and, with REDIS_URL, `redis` (PING).
 *   A load balancer stops sending traffic while it is 503.
 */
@Controller('health')
@UseFilters(HealthCheckFailedFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly upstream: UpstreamHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('live')
  @Header('Cache-Control', 'no-store')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database').withTimeout(2000),
      () => this.upstream.check('upstream'),
      ...(this.redis.configured ? [() => this.redis.pingCheck('redis', 1000)] : []),
    ]);
  }
}
