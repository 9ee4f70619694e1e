import { IamportTimeoutError, type IamportOperation } from './iamport.errors';

/** When one whole public call must be over, on the `performance.now()` clock. */
export class CallDeadline {
  private abort?: AbortSignal;

  /** `budgetMs` is what the error reports (the configured callDeadlineMs), `at` when it passes. */
  constructor(
    readonly at: number,
    private readonly budgetMs: number,
  ) {}

  static start(budgetMs: number): CallDeadline {
    return new CallDeadline(performance.now() + budgetMs, budgetMs);
  }

  /** The same deadline, `ms` earlier. */
  earlierBy(ms: number): CallDeadline {
    return new CallDeadline(this.at - ms, this.budgetMs);
  }

  left(): number {
    return this.at - performance.now();
  }

  error(operation: IamportOperation): IamportTimeoutError {
    return new IamportTimeoutError({ operation, timeoutMs: this.budgetMs, callDeadline: true });
  }

  /** Aborted when the deadline passes (created on first use). */
  signal(): AbortSignal {
    this.abort ??= AbortSignal.timeout(Math.max(1, Math.ceil(this.left())));
    return this.abort;
  }

  /**
   * `promise`, or the deadline's error once it passes. The promise is not cancelled (a shared
   * token fetch goes on for the other callers); its later rejection is observed here.
   */
  async race<T>(promise: Promise<T>, operation: IamportOperation): Promise<T> {
    promise.catch(() => undefined);
    const left = Math.ceil(this.left());
    if (left <= 0) throw this.error(operation);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.error(operation)), left);
    });
    try {
      return await Promise.race([promise, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
