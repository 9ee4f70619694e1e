import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IamportCallEvent } from '@app/iamport';

export type BreakerState = 'closed' | 'half-open' | 'open';

/** Gauge values of `iamport_circuit_breaker_state`. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = Object.freeze({
  closed: 0,
  'half-open': 1,
  open: 2,
});

/** Outcome label values that exist (at 0) from boot, so dashboards and alerts see the series. */
const KNOWN_OTP_OUTCOMES = ['requested', 'confirmed', 'mismatch', 'locked', 'expired'];
const KNOWN_SIGNUP_OUTCOMES = ['completed', 'conflict'];

/** Event names become label values: only short snake_case names are accepted (bounded cardinality). */
const EVENT_NAME = /^([a-z][a-z0-9]*)_([a-z][a-z0-9_]{0,47})$/;
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface HttpObservation {
  method: string;
  /** The route pattern (`/certifications/otp/confirm/:imp_uid`), never the raw URL. */
  route: string;
  status: number;
  seconds: number;
  /** `error.code` of the answer's error body, if any. */
  errorCode?: string;
}

/**
 * The api's Prometheus metrics, in a registry of its own (one per application instance, not
 * prom-client's global registry: several apps in one process, as in the tests, do not collide).
 *
 * - `http_request_duration_seconds` histogram {method, route, status}: route is the route
 *   pattern; requests that matched no route share `route="unmatched"`.
 * - `iamport_upstream_calls_total` {operation, outcome} and
 *   `iamport_upstream_call_duration_seconds` {operation, outcome}: one per upstream HTTP
 *   attempt, from IamportModule's `onCall` observer.
 * - `iamport_circuit_breaker_state`: 0 closed, 1 half-open, 2 open; read on each scrape.
 * - `otp_outcomes_total` {outcome} and `signups_total` {outcome}: from the domain events
 *   (`record('otp_mismatch')` counts outcome="mismatch"); other events in
 *   `domain_events_total` {event}.
 * - `rate_limit_refusals_total` {route}: answers whose error code is RATE_LIMITED.
 * - prom-client's default process and Node.js metrics.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly upstreamCalls: Counter<'operation' | 'outcome'>;
  private readonly upstreamDuration: Histogram<'operation' | 'outcome'>;
  private readonly otpOutcomes: Counter<'outcome'>;
  private readonly signups: Counter<'outcome'>;
  private readonly domainEvents: Counter<'event'>;
  private readonly rateLimitRefusals: Counter<'route'>;
  private breakerSource: (() => BreakerState) | null = null;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.upstreamCalls = new Counter({
      name: 'iamport_upstream_calls_total',
      help: "i'mport API attempts (retries and token fetches each count), by operation and outcome",
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'iamport_upstream_call_duration_seconds',
      help: "Duration of i'mport API attempts, by operation and outcome",
      labelNames: ['operation', 'outcome'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'iamport_circuit_breaker_state',
      help: "State of the i'mport client's circuit breaker: 0 closed, 1 half-open, 2 open",
      registers,
      collect() {
        if (self.breakerSource) this.set(BREAKER_STATE_VALUE[self.breakerSource()]);
      },
    });
    this.otpOutcomes = new Counter({
      name: 'otp_outcomes_total',
      help: 'OTP verification events, by outcome (requested, confirmed, mismatch, locked, expired)',
      labelNames: ['outcome'],
      registers,
    });
    this.signups = new Counter({
      name: 'signups_total',
      help: 'Signups, by outcome (completed, conflict: the person already has an account)',
      labelNames: ['outcome'],
      registers,
    });
    this.domainEvents = new Counter({
      name: 'domain_events_total',
      help: 'Other verification events reported by the domain modules, by event',
      labelNames: ['event'],
      registers,
    });
    this.rateLimitRefusals = new Counter({
      name: 'rate_limit_refusals_total',
      help: 'Requests refused with 429 RATE_LIMITED, by route pattern',
      labelNames: ['route'],
      registers,
    });
    for (const outcome of KNOWN_OTP_OUTCOMES) this.otpOutcomes.inc({ outcome }, 0);
    for (const outcome of KNOWN_SIGNUP_OUTCOMES) this.signups.inc({ outcome }, 0);
  }

  /**
   * Counts a domain event: `otp_<outcome>` -> otp_outcomes_total{outcome}, `signup_<outcome>`
   * -> signups_total{outcome}, any other `<word>_<words>` -> domain_events_total{event}.
   * Accepts the event name or an event object with a `type` (CertificationModule's `onEvent`).
   * Never throws; a malformed name is ignored.
   */
  record(event: string | { type: string }): void {
    const name = typeof event === 'string' ? event : event?.type;
    if (typeof name !== 'string') return;
    const match = EVENT_NAME.exec(name);
    if (!match) return;
    const [, family, rest] = match;
    if (family === 'otp') this.otpOutcomes.inc({ outcome: rest });
    else if (family === 'signup') this.signups.inc({ outcome: rest });
    else this.domainEvents.inc({ event: name });
  }

  /** IamportModule's `onCall` observer. */
  recordUpstreamCall(event: IamportCallEvent): void {
    const labels = { operation: event.operation, outcome: event.outcome };
    this.upstreamCalls.inc(labels);
    if (event.outcome !== 'circuit_open') this.upstreamDuration.observe(labels, Math.max(0, event.durationMs) / 1000);
  }

  /** Where the breaker gauge reads its state on each scrape (the IamportClient). */
  setBreakerSource(source: () => BreakerState): void {
    this.breakerSource = source;
  }

  observeHttpRequest(observation: HttpObservation): void {
    const method = HTTP_METHODS.has(observation.method) ? observation.method : 'OTHER';
    this.httpDuration.observe(
      { method, route: observation.route, status: String(observation.status) },
      Math.max(0, observation.seconds),
    );
    if (observation.errorCode === 'RATE_LIMITED') this.rateLimitRefusals.inc({ route: observation.route });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
