import { Controller, Get, Header, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
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
/** OpenAPI schema of terminus' answer (documentation only). */
function healthSchema(status: 'ok' | 'error', example: Record<string, unknown>) {
  const indicators = {
    type: 'object',
    additionalProperties: { type: 'object', properties: { status: { type: 'string', enum: ['up', 'down'] } }, additionalProperties: true },
  };
  return {
    type: 'object',
    properties: {
      status: { type: 'string', enum: [status] },
      info: { ...indicators, nullable: true },
      error: { ...indicators, nullable: true },
      details: indicators,
    },
    example,
  };
}

/**
 * `swaggerDocumentation: false` on @HealthCheck: the answers are documented here instead
 * (terminus' own documentation reaches the document only when its `require('@nestjs/swagger')`
 * works, i.e. not under Jest, so the document would differ between tests and production).
 * Runtime behaviour is terminus' default (`noCache: true`).
 */
@ApiTags('operations')
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
  @ApiOperation({
    summary: 'Liveness probe',
    description: 'The process answers HTTP; no dependency is checked (a database outage must not get every instance restarted).',
  })
  @ApiResponse({ status: 200, description: 'The process is up', schema: healthSchema('ok', { status: 'ok', info: {}, error: {}, details: {} }) })
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Readiness probe',
    description:
      "`database` (SELECT 1), `upstream` (the i'mport client's circuit breaker is not open) and, with REDIS_URL, `redis` " +
      "(PING). 503 in terminus' format when one is down (not the error envelope).",
  })
  @ApiResponse({
    status: 200,
    description: 'Ready: every check is up',
    schema: healthSchema('ok', {
      status: 'ok',
      info: { database: { status: 'up', responseTime: 2 }, upstream: { status: 'up', breaker: 'closed' } },
      error: {},
      details: { database: { status: 'up', responseTime: 2 }, upstream: { status: 'up', breaker: 'closed' } },
    }),
  })
  @ApiResponse({
    status: 503,
    description: "Not ready: a check is down (terminus' format, not the error envelope)",
    schema: healthSchema('error', {
      status: 'error',
      info: { database: { status: 'up', responseTime: 2 } },
      error: { upstream: { status: 'down', breaker: 'open' } },
      details: { database: { status: 'up', responseTime: 2 }, upstream: { status: 'down', breaker: 'open' } },
    }),
  })
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database').withTimeout(2000),
      () => this.upstream.check('upstream'),
      ...(this.redis.configured ? [() => this.redis.pingCheck('redis', 1000)] : []),
    ]);
  }
}
