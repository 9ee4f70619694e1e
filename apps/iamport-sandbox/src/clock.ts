/**
 * The sandbox clock: wall-clock time plus an offset that tests move forward through
 * POST /__sandbox/clock. Token and OTP expiry read this clock, never Date.now() directly.
 */
export class SandboxClock {
  private offsetMs = 0;

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  /** Unix seconds, as the upstream reports them (`now`, `expired_at`, `certified_at`). */
  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  get offsetSeconds(): number {
    return this.offsetMs / 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
