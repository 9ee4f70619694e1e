import { Inject, Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitedError, type RateLimitName } from '@app/common';
import { BlindIndex } from '@app/pii';
import { clientIpKey } from './client-ip';
import { RATE_LIMIT_RULES, RATE_LIMIT_WINDOW_MS, type RateLimitRule, type RateLimitRules, type RateLimitScope } from './rate-limit.rules';

/** Injection token of the counters' storage (a @nestjs/throttler `ThrottlerStorage` that can also peek). */
export const RATE_LIMIT_STORAGE = Symbol.for('iamport-backend.rate-limit-storage');

export type RateLimitStorage = ThrottlerStorage & {
  peek(key: string, ttl: number, limit: number, throttlerName?: string): ReturnType<ThrottlerStorage['increment']>;
};

/** The parts of a request the limits look at. */
export interface RateLimitedRequest {
  ip?: unknown;
}

export type SetHeader = (name: string, value: string) => void;

/**
 * Counts requests against the rules. Counter keys are HMACs (no phone number, IP or key id stored
 * in clear, the same on every instance). The guard counts the IP rules of a route; the rules on a
 * subject known only later (the phone of a valid OTP request, an admin key) are counted by
 * `hitSubject`, called from the flow or guard that knows it.
 */
@Injectable()
export class RateLimitService {
  private readonly ipDigests = new Map<string, string>();

  constructor(
    @Inject(RATE_LIMIT_RULES) private readonly rules: RateLimitRules,
    @Inject(RATE_LIMIT_STORAGE) private readonly storage: RateLimitStorage,
    private readonly blindIndex: BlindIndex,
  ) {}

  /**
   * The IP rules of a declared limit, in their order. Throws RateLimitedError (429, Retry-After)
   * when one refuses; sets the X-RateLimit-* headers.
   */
  async hit(limit: RateLimitName, request: RateLimitedRequest, setHeader: SetHeader): Promise<void> {
    const rules = this.rules[limit];
    if (!rules) throw new Error(`RateLimitService: no rules for the limit "${String(limit)}"`);
    for (const rule of rules) {
      if (rule.scope !== 'ip') continue;
      const record = await this.storage.increment(this.key(rule, ipOf(request)), windowOf(rule), rule.limit, 0, rule.name);
      if (record.isBlocked) throw refused(rule, record.timeToBlockExpire);
      setHeader(`X-RateLimit-Limit-${rule.name}`, String(rule.limit));
      setHeader(`X-RateLimit-Remaining-${rule.name}`, String(Math.max(0, rule.limit - record.totalHits)));
      setHeader(`X-RateLimit-Reset-${rule.name}`, String(record.timeToExpire));
    }
  }

  /** The rules of `scope` in a declared limit (e.g. the OTP request's phone rule), for that subject. */
  async hitScope(limit: RateLimitName, scope: Exclude<RateLimitScope, 'ip'>, subject: string): Promise<void> {
    for (const rule of this.rules[limit] ?? []) {
      if (rule.scope === scope) await this.hitSubject(rule, subject);
    }
  }

  /** Counts one hit of `subject` on a rule; no headers (how many codes a number got is not for whoever typed it). */
  async hitSubject(rule: RateLimitRule, subject: string, extra?: Record<string, unknown>): Promise<void> {
    const record = await this.storage.increment(this.key(rule, subject), windowOf(rule), rule.limit, 0, rule.name);
    if (record.isBlocked) throw refused(rule, record.timeToBlockExpire, extra);
  }

  /** Refuses like `hitSubject` when the rule is used up for `subject`, recording nothing. */
  async checkSubject(rule: RateLimitRule, subject: string, extra?: Record<string, unknown>): Promise<void> {
    const record = await this.storage.peek(this.key(rule, subject), windowOf(rule), rule.limit, rule.name);
    if (record.isBlocked) throw refused(rule, record.timeToBlockExpire, extra);
  }

  private key(rule: RateLimitRule, tracked: string): string {
    const subject = `${rule.scope}:${tracked}`;
    if (rule.scope !== 'ip') return `${rule.name}:${this.blindIndex.compute('rate-limit', subject)}`;
    // An IP comes back request after request: its HMAC is kept (IPs only; phones are not held on to).
    let digest = this.ipDigests.get(subject);
    if (digest === undefined) {
      if (this.ipDigests.size >= IP_DIGESTS_KEPT) this.ipDigests.clear();
      digest = this.blindIndex.compute('rate-limit', subject);
      this.ipDigests.set(subject, digest);
    }
    return `${rule.name}:${digest}`;
  }
}

/** How many client IPs' counter-key HMACs are kept (then the cache starts over). */
const IP_DIGESTS_KEPT = 10_000;

function windowOf(rule: RateLimitRule): number {
  return rule.windowMs ?? RATE_LIMIT_WINDOW_MS;
}

function refused(rule: RateLimitRule, retryAfterSeconds: number, extra?: Record<string, unknown>): RateLimitedError {
  return new RateLimitedError(retryAfterSeconds, {
    scope: rule.scope,
    limit: rule.limit,
    window_seconds: windowOf(rule) / 1000,
    ...extra,
  });
}

function ipOf(request: RateLimitedRequest): string {
  return typeof request.ip === 'string' && request.ip.length > 0 ? clientIpKey(request.ip) : 'unknown';
}
