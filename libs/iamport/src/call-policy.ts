import type { Logger } from '@nestjs/common';
import { ExponentialBackoff, TaskCancelledError, TimeoutStrategy, halfJitterGenerator, type IBackoff } from 'cockatiel';
import type { CallDeadline } from './call-deadline';
import type { AttemptInfo, CallSpec } from './call-spec';
import { describeError, nameOf } from './describe-error';
import {
  IamportApiError,
  IamportCircuitOpenError,
  IamportError,
  IamportNetworkError,
  IamportTimeoutError,
  type IamportOperation,
} from './iamport.errors';
import type { IamportCallOutcome, ResolvedIamportOptions } from './iamport.options';
import type { IamportTransport } from './iamport.transport';
import { AttemptTimeouts, RetryLoops, RetryRequest, requestedDelay } from './shared-policies';
import { isCircuitRefusal, type UpstreamBreaker } from './upstream-breaker';

/** Where authenticated calls get their token (the token manager). */
export interface TokenSource {
  accessToken(deadline: CallDeadline): Promise<string>;
  invalidate(token: string): Promise<void>;
}

/** A retry needs at least this much time left (or `timeoutMs`, if smaller) after its backoff. */
const MIN_RETRY_BUDGET_MS = 1000;

/** Refusals by the open breaker do not spend attempts; the deadline bounds them, and so does this. */
const MAX_CIRCUIT_WAITS = 20;

type Settled<T> = { value: T } | { error: IamportError };

/**
 * How one public call reaches the upstream: retries with jittered backoff (only where the spec
 * allows), the 401 refresh, the breaker, a per-attempt timeout, all within the call's deadline.
 */
export class IamportCallPolicy {
  private readonly backoff: ExponentialBackoff<unknown>;
  private readonly retries = new RetryLoops(requestedDelay);
  private readonly timeouts: AttemptTimeouts;

  constructor(
    private readonly options: ResolvedIamportOptions,
    private readonly transport: IamportTransport,
    private readonly breaker: UpstreamBreaker,
    private readonly logger: Logger,
  ) {
    this.backoff = new ExponentialBackoff({
      initialDelay: options.retryBaseDelayMs,
      maxDelay: options.retryMaxDelayMs,
      generator: halfJitterGenerator,
    });
    // The transport ends an attempt when its signal aborts (both adapters do): no race needed.
    this.timeouts = new AttemptTimeouts(options.timeoutMs, TimeoutStrategy.Cooperative);
  }

  async run<T>(spec: CallSpec<T>, deadline: CallDeadline, tokens?: TokenSource): Promise<T> {
    const plan = new RetryPlan(spec, deadline, this.options.timeoutMs, this.backoff, this.logger, () => this.breaker.sustained());
    // A call of one attempt is never retried (nor is a refusal by the open breaker then): no loop.
    const maxRetries = spec.attempts > 1 ? spec.attempts - 1 + MAX_CIRCUIT_WAITS : 0;
    const state = { tokenRefreshed: false };
    return this.retries.run(maxRetries, async () => {
      const info: AttemptInfo = { attempt: plan.current(), earlierAttemptUncertain: plan.uncertain };
      try {
        return await this.withToken(spec, info, state, deadline, tokens, spec.attempts > 1 && !this.breaker.sustained());
      } catch (error) {
        const recovered = error instanceof IamportApiError ? spec.recover?.(error, info) : undefined;
        if (recovered) return recovered.value;
        if (maxRetries > 0 && plan.retries(error)) throw new RetryRequest(error, plan.delayMs);
        throw error;
      }
    });
  }

  /** One attempt, plus exactly one repeat per call after a 401 with a fresh token. */
  private async withToken<T>(
    spec: CallSpec<T>,
    info: AttemptInfo,
    state: { tokenRefreshed: boolean },
    deadline: CallDeadline,
    tokens: TokenSource | undefined,
    mayWait: boolean,
  ): Promise<T> {
    if (!spec.authenticated || !tokens) return this.send(spec, info, undefined, deadline, mayWait);
    const token = await tokens.accessToken(deadline);
    try {
      return await this.send(spec, info, token, deadline, mayWait);
    } catch (error) {
      if (!(error instanceof IamportApiError) || error.httpStatus !== 401 || state.tokenRefreshed) throw error;
      state.tokenRefreshed = true;
      this.logger.warn(`i'mport ${spec.operation} got 401; refreshing the access token and retrying once`);
      await deadline.race(tokens.invalidate(token), spec.operation);
      const fresh = await tokens.accessToken(deadline);
      return this.send(spec, info, fresh, deadline, mayWait);
    }
  }

  /**
   * One exchange through the breaker. A retried call waits for a half-open probe (until its
   * deadline); one never retried, or any in a sustained outage, fails fast meanwhile.
   */
  private async send<T>(
    spec: CallSpec<T>,
    info: AttemptInfo,
    token: string | undefined,
    deadline: CallDeadline,
    mayWait: boolean,
  ): Promise<T> {
    if (Math.ceil(deadline.left()) <= 0) throw deadline.error(spec.operation);
    const probing = this.breaker.probing();
    if (probing && !mayWait) this.refuse(spec.operation);
    let settled: Settled<T>;
    try {
      // The breaker reads the signal only while a probe is in flight; no timer per call otherwise.
      const through = this.breaker.execute(() => this.exchange(spec, info, token, deadline), probing ? deadline.signal() : undefined);
      settled = probing ? await deadline.race(through, spec.operation) : await through;
    } catch (error) {
      if (isCircuitRefusal(error)) this.refuse(spec.operation);
      if (error instanceof TaskCancelledError) throw deadline.error(spec.operation);
      throw error;
    }
    if ('error' in settled) throw settled.error;
    return settled.value;
  }

  /**
   * Inside the breaker: throws only what counts against the upstream (5xx, timeout, network);
   * answers that show it up (4xx, non-zero codes, odd 2xx) are returned as settled errors.
   */
  private async exchange<T>(spec: CallSpec<T>, info: AttemptInfo, token: string | undefined, deadline: CallDeadline): Promise<Settled<T>> {
    const left = Math.ceil(deadline.left());
    if (left <= 0) return { error: deadline.error(spec.operation) };
    const attemptMs = Math.min(this.options.timeoutMs, left);
    const started = performance.now();
    let response;
    try {
      response = await this.timeouts.within(attemptMs).execute(({ signal }) =>
        this.transport.exchange(spec, token, signal),
      );
    } catch (raw) {
      const error = isTimeout(raw)
        ? attemptMs < this.options.timeoutMs
          ? deadline.error(spec.operation)
          : new IamportTimeoutError({ operation: spec.operation, timeoutMs: this.options.timeoutMs })
        : this.transport.networkError(spec.operation, raw);
      this.emit(spec.operation, error instanceof IamportNetworkError ? 'network_error' : 'timeout', performance.now() - started);
      throw error;
    }
    const decoded = this.transport.decode(spec, info, response);
    this.emit(spec.operation, decoded.outcome, performance.now() - started);
    if (!decoded.healthy && 'error' in decoded) throw decoded.error;
    return decoded;
  }

  private refuse(operation: IamportOperation): never {
    this.emit(operation, 'circuit_open', 0);
    throw new IamportCircuitOpenError({ operation, retryAfterMs: this.breaker.retryAfterMs() });
  }

  private emit(operation: IamportOperation, outcome: IamportCallOutcome, durationMs: number): void {
    if (!this.options.onCall) return;
    try {
      this.options.onCall({ operation, outcome, durationMs });
    } catch (error) {
      this.logger.warn(`i'mport onCall observer threw (${nameOf(error)})`);
    }
  }
}

/**
 * The retry decisions of one call: what is retried, after which delay, and whether time allows it.
 * An attempt the open breaker refused is not counted: the call waits for the half-open probe.
 */
class RetryPlan {
  uncertain = false;
  delayMs = 0;
  private sent = 0;
  private backoff?: IBackoff<unknown>;

  constructor(
    private readonly spec: CallSpec<unknown>,
    private readonly deadline: CallDeadline,
    private readonly timeoutMs: number,
    private readonly factory: ExponentialBackoff<unknown>,
    private readonly logger: Logger,
    private readonly sustained: () => boolean,
  ) {}

  /** 1-based number of the attempt under way. */
  current(): number {
    return this.sent + 1;
  }

  retries(error: unknown): boolean {
    const { operation, attempts } = this.spec;
    const attempt = this.current();
    const refused = error instanceof IamportCircuitOpenError;
    if (!refused) this.sent += 1;
    // a refusal spent no attempt: even the last one still waits for the probe
    if (!isTransient(error, operation) || (refused ? attempts <= 1 : attempt >= attempts)) return false;
    // a sustained outage: refusals are answered at once (no more waiting for probes)
    if (refused && this.sustained()) return false;
    this.backoff = this.backoff ? this.backoff.next(undefined) : this.factory.next();
    const delay = Math.max(this.backoff.duration, refused ? error.retryAfterMs : 0);
    const left = this.deadline.left();
    const prefix = `i'mport ${operation} attempt ${attempt}/${attempts} failed (${describeError(error)})`;
    if (left - delay < Math.min(this.timeoutMs, MIN_RETRY_BUDGET_MS)) {
      this.logger.warn(`${prefix}; not retrying: ${Math.max(0, Math.round(left))} ms left before the call deadline`);
      return false;
    }
    this.logger.warn(`${prefix}; retrying in ${delay} ms`);
    if (!refused) this.uncertain = true;
    this.delayMs = delay;
    return true;
  }
}

/** Failures of this operation's own exchange: a failed getToken was already retried by its own call. */
function isTransient(error: unknown, operation: IamportOperation): error is IamportError {
  if (!(error instanceof IamportError) || error.operation !== operation) return false;
  if (error instanceof IamportTimeoutError || error instanceof IamportNetworkError) return true;
  if (error instanceof IamportCircuitOpenError) return true;
  return error instanceof IamportApiError && error.httpStatus !== undefined && error.httpStatus >= 500;
}

function isTimeout(raw: unknown): boolean {
  if (raw instanceof TaskCancelledError) return true;
  const code = typeof raw === 'object' && raw !== null ? (raw as { code?: unknown }).code : undefined;
  return code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED';
}
