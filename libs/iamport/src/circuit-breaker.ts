/**
 * A small consecutive-failure circuit breaker.
 *
 * - closed: every call goes through; `failureThreshold` consecutive failures open it.
 *   A success resets the count.
 * - open: calls fail fast (no permit) until `resetTimeoutMs` has passed since it opened.
 * - half-open: exactly one probe call gets a permit; others fail fast while it runs.
 *   A successful probe closes the breaker, a failed probe opens it again (for another
 *   `resetTimeoutMs`), a probe released without a verdict lets the next call probe.
 *
 * Only the caller decides what a failure is (the iamport client counts 5xx, timeouts and
 * network errors, never 4xx). Outcomes of calls that were let through while the breaker was
 * closed but finish after it opened are ignored: only the probe decides in half-open.
 *
 * The clock is injectable (milliseconds, monotonic preferred) so the unit tests do not sleep.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  resetTimeoutMs: number;
  /** Milliseconds from any origin; defaults to `performance.now()`. */
  now?: () => number;
  onStateChange?: (from: CircuitState, to: CircuitState) => void;
}

/** Handed out for every admitted call; settle it exactly once. */
export interface CircuitPermit {
  readonly probe: boolean;
}

interface InternalPermit extends CircuitPermit {
  settled: boolean;
}

export type CircuitAdmission =
  | { allowed: true; permit: CircuitPermit }
  | { allowed: false; retryAfterMs: number };

export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (!(options.failureThreshold >= 1)) {
      throw new RangeError('failureThreshold must be >= 1');
    }
    if (!(options.resetTimeoutMs >= 0)) {
      throw new RangeError('resetTimeoutMs must be >= 0');
    }
    this.now = options.now ?? (() => performance.now());
  }

  /** Current state; an open breaker whose reset timeout has passed reports half-open. */
  state(): CircuitState {
    this.advance();
    return this.current;
  }

  /** Ask to make a call. */
  tryAcquire(): CircuitAdmission {
    this.advance();
    switch (this.current) {
      case 'closed':
        return { allowed: true, permit: this.permit(false) };
      case 'open':
        return {
          allowed: false,
          retryAfterMs: Math.max(0, Math.ceil(this.openedAt + this.options.resetTimeoutMs - this.now())),
        };
      case 'half-open':
        if (this.probeInFlight) {
          // Someone is probing right now; its verdict is expected within one call timeout.
          return { allowed: false, retryAfterMs: Math.min(1000, this.options.resetTimeoutMs) };
        }
        this.probeInFlight = true;
        return { allowed: true, permit: this.permit(true) };
    }
  }

  /** The call showed the upstream is alive (includes 4xx answers). */
  onSuccess(permit: CircuitPermit): void {
    if (!this.settle(permit)) return;
    if (permit.probe) {
      this.probeInFlight = false;
      this.transition('closed');
      this.consecutiveFailures = 0;
      return;
    }
    if (this.current === 'closed') this.consecutiveFailures = 0;
  }

  /** The call failed in a way that counts against the upstream (5xx, timeout, network). */
  onFailure(permit: CircuitPermit): void {
    if (!this.settle(permit)) return;
    if (permit.probe) {
      this.probeInFlight = false;
      this.open();
      return;
    }
    if (this.current !== 'closed') return;
    this.consecutiveFailures += 1;
    if (this.consecutiveFailures >= this.options.failureThreshold) this.open();
  }

  /** The call ended without saying anything about the upstream's health. */
  release(permit: CircuitPermit): void {
    if (!this.settle(permit)) return;
    if (permit.probe) this.probeInFlight = false;
  }

  private permit(probe: boolean): CircuitPermit {
    const p: InternalPermit = { probe, settled: false };
    return p;
  }

  private settle(permit: CircuitPermit): boolean {
    const p = permit as InternalPermit;
    if (p.settled) return false;
    p.settled = true;
    return true;
  }

  private open(): void {
    this.openedAt = this.now();
    this.consecutiveFailures = 0;
    this.transition('open');
  }

  private advance(): void {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.resetTimeoutMs) {
      this.transition('half-open');
    }
  }

  private transition(to: CircuitState): void {
    const from = this.current;
    this.current = to;
    if (from !== to) this.options.onStateChange?.(from, to);
  }
}
