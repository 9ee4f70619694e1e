import { RateLimitedError } from '@iamport-identity/nest/common';
import type { OtpRequestLimiter } from '@iamport-identity/nest/certification';

/**
 * The host's own limit on OTP requests (each one may send a paid SMS): at most `limit` per
 * phone number per window, counted by the phone's blind index (CertificationModule never hands
 * out the number). In memory, so per instance: with several instances, count in Redis instead.
 */
export class InMemoryOtpLimiter implements OtpRequestLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 10 * 60 * 1000,
  ) {}

  async beforeOtpRequest({ phoneBidx }: { phoneBidx: string; ip: string | null }): Promise<void> {
    const now = Date.now();
    const recent = (this.sent.get(phoneBidx) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.limit) {
      throw new RateLimitedError(Math.ceil((recent[0] + this.windowMs - now) / 1000));
    }
    recent.push(now);
    this.sent.set(phoneBidx, recent);
  }
}
