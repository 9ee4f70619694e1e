/**
 * At most one line per key every `intervalMs`, with how many were held back since the last one:
 * during an upstream outage every refused call would otherwise write a line (a synchronous write
 * to stdout under load puts the log pipe on the request path: docs/resilience.md).
 */
export class LogThrottle {
  private readonly seen = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
    /** Distinct keys remembered; past it the oldest is forgotten (keys are operation + cause: few). */
    private readonly maxKeys = 256,
  ) {}

  /** The number of lines held back since the last one for `key` (0 or more) when a line may go now; null when it is held back. */
  admit(key: string): number | null {
    const now = this.now();
    const entry = this.seen.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.held += 1;
      return null;
    }
    const held = entry?.held ?? 0;
    this.seen.delete(key);
    if (this.seen.size >= this.maxKeys) this.seen.delete(this.seen.keys().next().value as string);
    this.seen.set(key, { at: now, held: 0 });
    return held;
  }
}
