import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { IamportClient } from '@app/iamport';

/**
 * The upstream (i'mport) as this instance sees it: down while the client's circuit breaker is
 * open (upstream calls fail fast, so OTP requests and confirmations cannot succeed), up when
 * closed or half-open (a probe call is let through). No upstream call is made: a readiness
 * probe must not spend the upstream's rate limit or open the breaker by itself.
 */
@Injectable()
export class UpstreamHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly client: IamportClient,
  ) {}

  check<const Key extends string>(key: Key): HealthIndicatorResult<Key> {
    const breaker = this.client.breakerState();
    const indicator = this.indicators.check(key);
    return breaker === 'open' ? indicator.down({ breaker }) : indicator.up({ breaker });
  }
}
