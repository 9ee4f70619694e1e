import {
  TimeoutStrategy,
  handleWhen,
  retry,
  timeout,
  type IBackoffFactory,
  type IRetryBackoffContext,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';

/**
 * The cockatiel policies of an upstream client, built once per client and call kind rather than
 * per call or attempt (their per-call state lives in the call's own closure); libs/portone uses them too.
 */

/** Per-attempt timeouts: the configured one is shared; a shorter one (a nearer deadline) is made when asked. */
export class AttemptTimeouts {
  private readonly full: TimeoutPolicy;

  /**
   * `Cooperative` for an attempt that ends itself when its signal aborts (the i'mport transport:
   * no race, about 15 us less per call); `Aggressive` (the default) also for one that may not.
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly strategy = TimeoutStrategy.Aggressive,
  ) {
    this.full = this.policy(timeoutMs);
  }

  within(ms: number): TimeoutPolicy {
    return ms >= this.timeoutMs ? this.full : this.policy(ms);
  }

  // Nothing runs on after an attempt settles, so its signal is not aborted then (that built a DOMException per call).
  private policy(ms: number): TimeoutPolicy {
    return timeout(ms, { strategy: this.strategy, abortOnReturn: false });
  }
}

/** Thrown by an attempt to ask for another one; anything else thrown ends the call. */
export class RetryRequest {
  constructor(
    readonly error: unknown,
    /** The delay before the next attempt, for a backoff that reads it (`requestedDelay`). */
    readonly delayMs = 0,
  ) {}
}

/** A backoff that waits what the attempt asked for in its RetryRequest. */
export const requestedDelay: IBackoffFactory<IRetryBackoffContext<unknown>> = {
  next: (context) => ({
    duration: 'error' in context.result && context.result.error instanceof RetryRequest ? context.result.error.delayMs : 0,
    next: (again) => requestedDelay.next(again),
  }),
};

function unwrapRetryRequest(error: unknown): never {
  throw error instanceof RetryRequest ? error.error : error;
}

/** Retry loops on cockatiel, one policy per number of retries, all with the same backoff. */
export class RetryLoops {
  private readonly policies = new Map<number, RetryPolicy>();

  constructor(private readonly backoff: IBackoffFactory<IRetryBackoffContext<unknown>>) {}

  /** Runs `attempt` up to 1 + `maxRetries` times; a RetryRequest's error is what the call finally throws. */
  run<T>(maxRetries: number, attempt: () => Promise<T>): Promise<T> {
    // One attempt: nothing to retry, so no policy and no extra promise around it.
    if (maxRetries <= 0) return attempt().catch(unwrapRetryRequest);
    return this.policy(maxRetries).execute(attempt).catch(unwrapRetryRequest);
  }

  private policy(maxRetries: number): RetryPolicy {
    let policy = this.policies.get(maxRetries);
    if (!policy) {
      policy = retry(handleWhen((error) => error instanceof RetryRequest), { maxAttempts: maxRetries, backoff: this.backoff });
      this.policies.set(maxRetries, policy);
    }
    return policy;
  }
}
