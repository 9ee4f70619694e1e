import { Counter, type Registry } from 'prom-client';
import { DomainError } from '@app/common';
import type { RedisFailureMode } from '../config/app-config';

/**
 * 503 RATE_LIMIT_UNAVAILABLE: the shared counter could not be read (Redis down) and the limit is
 * fail-closed, so the request is refused rather than counted by this instance alone.
 */
export class RateLimitUnavailableError extends DomainError {
  readonly code = 'RATE_LIMIT_UNAVAILABLE';
  readonly status = 503;
  constructor(retryAfterSeconds = 5) {
    super('Rate limiting is unavailable; retry later', { reason: 'redis_unavailable' }, retryAfterSeconds);
  }
}

/** Limits that are fail-closed unless RATE_LIMIT_ON_REDIS_FAILURE says otherwise: OTP sends cost money. */
const FAIL_CLOSED_BY_DEFAULT = /^otp-request(?:-|$)/;

/** What each kind of limit does while Redis is down, for /health/ready. */
export function redisFailureModes(configured: RedisFailureMode | null): { otp_send: RedisFailureMode; other: RedisFailureMode } {
  return configured ? { otp_send: configured, other: configured } : { otp_send: 'fail-closed', other: 'local' };
}

/**
 * RATE_LIMIT_ON_REDIS_FAILURE: what a limit does when its Redis counter fails. `local`: counted
 * in this instance's memory (N instances let N times the limit through); `fail-closed`: refused
 * with 503. Unset: fail-closed for the OTP request limits, local for the rest. Every such decision
 * is counted in `rate_limit_redis_failure_decisions_total{mode}`.
 */
export class RedisFailurePolicy {
  private readonly decisions: Counter<'mode'> | null;

  constructor(
    readonly configured: RedisFailureMode | null,
    registry?: Registry,
  ) {
    this.decisions = registry
      ? new Counter({
          name: 'rate_limit_redis_failure_decisions_total',
          help: 'Rate-limit decisions taken while Redis did not answer, by mode (local: counted in memory; fail-closed: refused with 503)',
          labelNames: ['mode'],
          registers: [registry],
        })
      : null;
    for (const mode of ['fail-closed', 'local'] as const) this.decisions?.inc({ mode }, 0);
  }

  /** The mode for a limit (its rule name), counted as one decision. */
  decide(limitName: string | undefined): RedisFailureMode {
    const mode = this.configured ?? (limitName !== undefined && FAIL_CLOSED_BY_DEFAULT.test(limitName) ? 'fail-closed' : 'local');
    this.decisions?.inc({ mode });
    return mode;
  }
}
