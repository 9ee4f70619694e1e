import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  SamplingBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
  type IBreaker,
} from 'cockatiel';
import { IamportError } from './iamport.errors';

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Defaults shared by the V1 and V2 clients. 20 calls and 10 in a row (not 5 and 5): a burst of 50% 5xx
 * crossed the ratio on 5 samples and each probe then met a 503 at even odds (docs/resilience.md).
 */
export const UPSTREAM_BREAKER_DEFAULTS = {
  failureRatio: 0.5,
  windowMs: 10_000,
  minimumCalls: 20,
  failureThreshold: 10,
  resetTimeoutMs: 2000,
} as const;

export interface UpstreamBreakerOptions {
  failureRatio: number;
  windowMs: number;
  minimumCalls: number;
  /** Consecutive failures that open it whatever the ratio; undefined: ratio only. */
  failureThreshold?: number;
  resetTimeoutMs: number;
  /** What counts against the upstream when the guarded function throws it. Default: an IamportError. */
  isFailure?: (error: unknown) => boolean;
  onStateChange?: (from: BreakerState, to: BreakerState) => void;
}

/**
 * One breaker for all operations of a client (V1 and V2), on cockatiel. Only an error thrown by the
 * guarded function that `isFailure` accepts is a failure; the function returns (not throws) answers that show the upstream up.
 */
export class UpstreamBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;
  private last: BreakerState = 'closed';
  /** When it opened after last being closed (0: closed); failed probes do not restart it. */
  private episodeAt = 0;

  constructor(private readonly options: UpstreamBreakerOptions) {
    const sampling = new SamplingBreaker({
      threshold: options.failureRatio,
      duration: options.windowMs,
      minimumRps: options.minimumCalls / (options.windowMs / 1000),
    });
    const breaker = options.failureThreshold === undefined
      ? sampling
      : new EitherBreaker(sampling, new ConsecutiveBreaker(options.failureThreshold));
    this.policy = circuitBreaker(handleWhen(options.isFailure ?? ((e) => e instanceof IamportError)), {
      breaker,
      halfOpenAfter: options.resetTimeoutMs,
    });
    this.policy.onStateChange((state) => {
      if (state === CircuitState.Open || state === CircuitState.Isolated) this.openedAt = Date.now();
      if (state === CircuitState.Open && this.episodeAt === 0) this.episodeAt = Date.now();
      if (state === CircuitState.Closed) this.episodeAt = 0;
      this.transition(toName(state));
    });
  }

  /** Runs `fn`, or throws cockatiel's BrokenCircuitError while open. In half-open, waits for the probe. */
  execute<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.policy.execute(fn, signal);
  }

  /** Open with its half-open delay passed reads half-open (the next call is the probe). */
  state(): BreakerState {
    const state = this.policy.state;
    if (state === CircuitState.Closed) return 'closed';
    if (state === CircuitState.HalfOpen) return 'half-open';
    return state === CircuitState.Open && this.retryAfterMs() === 0 ? 'half-open' : 'open';
  }

  /** A half-open probe is in flight. */
  probing(): boolean {
    return this.policy.state === CircuitState.HalfOpen;
  }

  /** Not closed for longer than the sampling window, probes failing: an outage, not a burst. */
  sustained(): boolean {
    return this.episodeAt !== 0 && Date.now() - this.episodeAt >= this.options.windowMs;
  }

  /** How long until a probe may go (for a refused call). */
  retryAfterMs(): number {
    if (this.probing()) return Math.min(1000, this.options.resetTimeoutMs);
    return Math.max(0, Math.ceil(this.openedAt + this.options.resetTimeoutMs - Date.now()));
  }

  private transition(to: BreakerState): void {
    const from = this.last;
    this.last = to;
    if (from !== to) this.options.onStateChange?.(from, to);
  }
}

export function isCircuitRefusal(error: unknown): boolean {
  return error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError;
}

function toName(state: CircuitState): BreakerState {
  if (state === CircuitState.Closed) return 'closed';
  if (state === CircuitState.HalfOpen) return 'half-open';
  return 'open';
}

/** Opens when either breaker would; both see every outcome. */
class EitherBreaker implements IBreaker {
  constructor(
    private readonly a: IBreaker,
    private readonly b: IBreaker,
  ) {}

  get state(): unknown {
    return [this.a.state, this.b.state];
  }

  set state(value: unknown) {
    const [a, b] = value as [unknown, unknown];
    this.a.state = a;
    this.b.state = b;
  }

  success(state: CircuitState): void {
    this.a.success(state);
    this.b.success(state);
  }

  failure(state: CircuitState): boolean {
    const a = this.a.failure(state);
    const b = this.b.failure(state);
    return a || b;
  }
}
