/** Cuts an upstream text and removes the secret and digit runs of 6+ (phone, birth, OTP), should the API echo them. */
export class PortOneRedactor {
  constructor(private readonly secret: string) {}

  redact(value: unknown): string | undefined {
    if (typeof value !== 'string' || value === '') return undefined;
    const text = this.secret.length >= 4 ? value.slice(0, 300).split(this.secret).join('[redacted]') : value.slice(0, 300);
    return text.replace(/\d[\d\s.-]{4,}\d/g, (run) => (run.replace(/\D/g, '').length >= 6 ? '[redacted]' : run));
  }
}
