import type { Logger } from '@nestjs/common';
import { ExponentialBackoff, TaskCancelledError, TimeoutStrategy, halfJitterGenerator, type IBackoff } from 'cockatiel';
import {
  AttemptTimeouts,
  RetryLoops,
  RetryRequest,
  UpstreamBreaker,
  isCircuitRefusal,
  requestedDelay,
  type BreakerState,
} from '@app/iamport';
import { IdentityVerificationError } from '@portone/server-sdk/identityVerification';
import {
  PortOneApiError,
  PortOneCallError,
  PortOneCircuitOpenError,
  PortOneNetworkError,
  PortOneTimeoutError,
  apiErrorFrom,
  type PortOneOperation,
} from './portone.errors';
import type { PortOneCallOutcome, ResolvedPortOneOptions } from './portone.options';
import type { PortOneRedactor } from './portone-redactor';

/** A retry needs at least this much time left (or timeoutMs, if smaller). */
const MIN_RETRY_BUDGET_MS = 1000;

/** Refusals by the open breaker do not spend attempts; the deadline bounds them, and so does this. */
const MAX_CIRCUIT_WAITS = 20;

type Settled<T> = { value: T } | { error: PortOneApiError };

/**
 * How one call of PortOneClient reaches the API, on cockatiel as libs/iamport does: its UpstreamBreaker
 * (only failures that show the API down count: timeouts, network errors, unrecognised answers),
 * a per-attempt timeout within the call's deadline, and retries for idempotent calls only.
 */
export class PortOneCallPolicy {
  private readonly breaker: UpstreamBreaker;
  private readonly backoff: ExponentialBackoff<unknown>;
  private readonly retries = new RetryLoops(requestedDelay);
  private readonly timeouts: AttemptTimeouts;

  constructor(
    private readonly options: ResolvedPortOneOptions,
    private readonly redactor: PortOneRedactor,
    private readonly logger: Logger,
    endsOnAbort = false,
  ) {
    this.breaker = new UpstreamBreaker({
      failureRatio: options.failureRatio,
      windowMs: options.windowMs,
      minimumCalls: options.minimumCalls,
      failureThreshold: options.failureThreshold,
      resetTimeoutMs: options.resetTimeoutMs,
      isFailure: (error) => error instanceof PortOneCallError,
      onStateChange: (from, to) => {
        const text = `PortOne circuit breaker ${from} -> ${to}`;
        if (to === 'open') this.logger.warn(text);
        else this.logger.log(text);
      },
    });
    this.backoff = new ExponentialBackoff({ initialDelay: options.retryBaseDelayMs, maxDelay: 5000, generator: halfJitterGenerator });
    // An API that ends its request on the attempt's signal needs no race against the timer (as libs/iamport).
    this.timeouts = new AttemptTimeouts(options.timeoutMs, endsOnAbort ? TimeoutStrategy.Cooperative : TimeoutStrategy.Aggressive);
  }

  state(): BreakerState {
    return this.breaker.state();
  }

  /** `idempotent` calls (get, list) are retried; the others get exactly one attempt. */
  async run<T>(operation: PortOneOperation, idempotent: boolean, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = performance.now() + this.options.callDeadlineMs;
    const attempts = idempotent ? this.options.retryAttempts : 1;
    // Per call: attempts spent, refusals waited out, the backoff so far.
    const plan = { attempt: 0, waits: 0, backoff: undefined as IBackoff<unknown> | undefined };
    const maxRetries = attempts > 1 ? attempts - 1 + MAX_CIRCUIT_WAITS : 0;
    return this.retries.run(maxRetries, async () => {
      plan.attempt += 1;
      try {
        return await this.attempt(operation, call, deadline);
      } catch (error) {
        const delayMs = maxRetries > 0 ? this.retryDelay(operation, error, plan, attempts, deadline) : null;
        if (delayMs !== null) throw new RetryRequest(error, delayMs);
        throw error;
      }
    });
  }

  /** The wait before another attempt, or null: no retry (not retryable, attempts spent, a sustained outage, no time left). */
  private retryDelay(
    operation: PortOneOperation,
    error: unknown,
    plan: { attempt: number; waits: number; backoff: IBackoff<unknown> | undefined },
    attempts: number,
    deadline: number,
  ): number | null {
    if (!(error instanceof PortOneCallError) || !error.retryable) return null;
    // A refusal by the open breaker spends no attempt: a retried call waits for the half-open probe.
    const refused = error instanceof PortOneCircuitOpenError;
    if (refused) plan.attempt -= 1;
    if (refused ? attempts <= 1 || ++plan.waits > MAX_CIRCUIT_WAITS : plan.attempt >= attempts) return null;
    // open through failed probes for the sampling window: an outage, not a burst; refusals are answered at once
    if (refused && this.breaker.sustained()) return null;
    plan.backoff = plan.backoff ? plan.backoff.next(undefined) : this.backoff.next();
    const delayMs = Math.max(plan.backoff.duration, refused ? error.retryAfterMs : 0);
    const left = deadline - performance.now();
    const retrying = left - delayMs > Math.min(this.options.timeoutMs, MIN_RETRY_BUDGET_MS);
    this.logger.warn(`PortOne ${operation} attempt ${plan.attempt}/${attempts} failed (${error.name})${retrying ? `; retrying in ${delayMs} ms` : ''}`);
    return retrying ? delayMs : null;
  }

  private async attempt<T>(operation: PortOneOperation, call: (signal: AbortSignal) => Promise<T>, deadline: number): Promise<T> {
    const left = Math.ceil(deadline - performance.now());
    if (left <= 0) throw new PortOneTimeoutError(operation, this.options.callDeadlineMs, true);
    const attemptMs = Math.min(this.options.timeoutMs, left);
    const started = performance.now();
    let settled: Settled<T>;
    try {
      settled = await this.breaker.execute(async (): Promise<Settled<T>> => {
        let signal: AbortSignal | undefined;
        try {
          return { value: await this.timeouts.within(attemptMs).execute((context) => call((signal = context.signal))) };
        } catch (raw) {
          // Cooperative: the request failed because the timeout aborted it.
          const error = this.classify(operation, raw, attemptMs, signal?.aborted === true);
          // A typed answer shows the API up: it does not count against the breaker.
          if (error instanceof PortOneApiError && !error.retryable) return { error };
          throw error;
        }
      });
    } catch (error) {
      if (isCircuitRefusal(error)) {
        this.emit(operation, 'circuit_open', 0);
        throw new PortOneCircuitOpenError(operation, this.breaker.retryAfterMs());
      }
      this.emit(operation, outcomeOf(error), performance.now() - started);
      throw error;
    }
    this.emit(operation, 'error' in settled ? 'client_error' : 'success', performance.now() - started);
    if ('error' in settled) throw settled.error;
    return settled.value;
  }

  private classify(operation: PortOneOperation, raw: unknown, attemptMs: number, timedOut: boolean): PortOneCallError {
    if (raw instanceof TaskCancelledError || timedOut) {
      return attemptMs < this.options.timeoutMs
        ? new PortOneTimeoutError(operation, this.options.callDeadlineMs, true)
        : new PortOneTimeoutError(operation, this.options.timeoutMs);
    }
    if (raw instanceof IdentityVerificationError) return apiErrorFrom(operation, raw.data, (text) => this.redactor.redact(text));
    // fetch failed (its cause names the system error), or the body was not JSON
    const cause = (raw as { cause?: { code?: unknown } } | null)?.cause;
    const code = typeof cause?.code === 'string' ? cause.code : raw instanceof SyntaxError ? 'INVALID_RESPONSE' : undefined;
    return new PortOneNetworkError(operation, code);
  }

  private emit(operation: PortOneOperation, outcome: PortOneCallOutcome, durationMs: number): void {
    try {
      this.options.onCall?.({ operation, outcome, durationMs });
    } catch (error) {
      this.logger.warn(`PortOne onCall observer threw (${error instanceof Error ? error.name : typeof error})`);
    }
  }
}

function outcomeOf(error: unknown): PortOneCallOutcome {
  if (error instanceof PortOneTimeoutError) return 'timeout';
  if (error instanceof PortOneNetworkError) return 'network_error';
  return 'server_error';
}
