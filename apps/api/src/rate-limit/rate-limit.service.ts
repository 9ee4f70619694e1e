import { Inject, Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { normalizePhone } from '@app/certification';
import { RateLimitedError, type RateLimitName } from '@app/common';
import { BlindIndex } from '@app/pii';
import { clientIpKey } from './client-ip';
import { RATE_LIMIT_RULES, RATE_LIMIT_WINDOW_MS, type RateLimitRule, type RateLimitRules } from './rate-limit.rules';

/** Injection token of the counters' storage (a @nestjs/throttler `ThrottlerStorage`). */
export const RATE_LIMIT_STORAGE = Symbol.for('iamport-backend.rate-limit-storage');

/** The parts of a request the limits look at. */
export interface RateLimitedRequest {
  ip?: unknown;
  body?: unknown;
}

export type SetHeader = (name: string, value: string) => void;

/**
 * Counts a request against the rules of one declared limit, in their order. Counter keys are
 * HMACs (no phone number or IP stored in clear, the same on every instance). A body without an
 * acceptable phone is not counted per phone: validation rejects it and no SMS goes out.
 */
@Injectable()
export class RateLimitService {
  constructor(
    @Inject(RATE_LIMIT_RULES) private readonly rules: RateLimitRules,
    @Inject(RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorage,
    private readonly blindIndex: BlindIndex,
  ) {}

  /**
   * Throws RateLimitedError (429, Retry-After) when a rule refuses. IP rules set the
   * X-RateLimit-* headers; phone rules do not (how many codes a number got is not for whoever typed it).
   */
  async hit(limit: RateLimitName, request: RateLimitedRequest, setHeader: SetHeader): Promise<void> {
    const rules = this.rules[limit];
    if (!rules) throw new Error(`RateLimitService: no rules for the limit "${String(limit)}"`);
    for (const rule of rules) {
      const tracked = rule.scope === 'phone' ? phoneOf(request) : ipOf(request);
      if (tracked === null) continue;
      await this.count(rule, tracked, setHeader);
    }
  }

  private async count(rule: RateLimitRule, tracked: string, setHeader: SetHeader): Promise<void> {
    const key = `${rule.name}:${this.blindIndex.compute('rate-limit', `${rule.scope}:${tracked}`)}`;
    const record = await this.storage.increment(key, RATE_LIMIT_WINDOW_MS, rule.limit, 0, rule.name);
    if (record.isBlocked) {
      throw new RateLimitedError(record.timeToBlockExpire, {
        scope: rule.scope,
        limit: rule.limit,
        window_seconds: RATE_LIMIT_WINDOW_MS / 1000,
      });
    }
    if (rule.scope !== 'ip') return;
    setHeader(`X-RateLimit-Limit-${rule.name}`, String(rule.limit));
    setHeader(`X-RateLimit-Remaining-${rule.name}`, String(Math.max(0, rule.limit - record.totalHits)));
    setHeader(`X-RateLimit-Reset-${rule.name}`, String(record.timeToExpire));
  }
}

function phoneOf(request: RateLimitedRequest): string | null {
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  return normalizePhone((body as { phone?: unknown }).phone);
}

function ipOf(request: RateLimitedRequest): string {
  return typeof request.ip === 'string' && request.ip.length > 0 ? clientIpKey(request.ip) : 'unknown';
}
