/**
 * Cuts the upstream's message and removes from it what must never reach an error or a log, should
 * upstream echo it: the credentials, recent tokens, the request's personal values, digit runs of 6+.
 */
export class IamportRedactor {
  private readonly recentTokens: string[] = [];

  constructor(private readonly credentials: readonly string[]) {}

  /** Remembers a token to redact (the last four). */
  remember(token: string): void {
    if (this.recentTokens.includes(token)) return;
    this.recentTokens.push(token);
    if (this.recentTokens.length > 4) this.recentTokens.shift();
  }

  redact(message: string | null | undefined, sensitive: readonly string[]): string | undefined {
    if (message === null || message === undefined) return undefined;
    let text = message.slice(0, 300);
    const secrets = [...this.credentials, ...this.recentTokens, ...sensitive]
      .flatMap((s) => [s, s.replace(/\D/g, '')])
      .filter((s) => s.trim().length >= 2)
      .sort((a, b) => b.length - a.length);
    for (const secret of secrets) text = text.split(secret).join('[redacted]');
    return text.replace(/\d[\d\s.-]{4,}\d/g, (run) => (run.replace(/\D/g, '').length >= 6 ? '[redacted]' : run));
  }
}
