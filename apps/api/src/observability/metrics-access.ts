import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';

/** Where GET /metrics is served and who may read it (METRICS_PORT, METRICS_HOST, METRICS_TOKEN). */
export interface MetricsExposure {
  /** Set: a second listener serves /metrics and the public one does not. */
  port: number | null;
  host: string;
  /** Set: `Authorization: Bearer <token>` is required on whichever listener serves /metrics. */
  token: string | null;
}

export const METRICS_EXPOSURE = Symbol('iamport-backend.metrics-exposure');

/** Decides whether a scrape may read the metrics: the one check behind the guard and the second listener. */
@Injectable()
export class MetricsAccess {
  private readonly expected: Buffer | null;

  constructor(@Inject(METRICS_EXPOSURE) exposure: MetricsExposure) {
    this.expected = exposure.token === null ? null : digest(exposure.token);
  }

  /** @param authorization the request's Authorization header, if any */
  allows(authorization: string | string[] | undefined): boolean {
    if (this.expected === null) return true;
    const match = typeof authorization === 'string' ? /^Bearer ([^\s]+)$/i.exec(authorization.trim()) : null;
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    return match !== null && timingSafeEqual(digest(match[1]), this.expected);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
