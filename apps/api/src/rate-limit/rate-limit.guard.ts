import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
// @nestjs/throttler's IP normalization (IPv6 counted per /64). Only this file of the package
// is loaded at run time; see rate-limit.module.ts for why the guard itself is not ThrottlerGuard.
import { normalizeIp } from '@nestjs/throttler/dist/ip';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { normalizePhone } from '@app/certification';
import { RateLimitedError } from '@app/common';
import { BlindIndex } from '@app/pii';
import { RATE_LIMIT_RULES, RATE_LIMIT_WINDOW_MS, type RateLimitRule } from './rate-limit.rules';
import { routeKeysOf } from './route-key';

/** Injection token of the counters' storage (a @nestjs/throttler `ThrottlerStorage`). */
export const RATE_LIMIT_STORAGE = Symbol.for('iamport-backend.rate-limit-storage');

/** IPv6 clients are counted per /64 (one subscriber usually holds a whole /64). */
const IPV6_PREFIX = 64;

interface HttpRequestLike {
  ip?: unknown;
  body?: unknown;
}

/**
 * The global rate-limit guard (APP_GUARD). For each rule of rate-limit.rules.ts that covers the
 * route (matched on the route's Nest metadata, route-key.ts: no decorator on the controllers,
 * same on Express and Fastify), in the rules' order:
 * - the tracked value: the client IP (`request.ip`, which honours TRUST_PROXY on both
 *   adapters), or the phone number of the body as `normalizePhone` gives it; a body without an
 *   acceptable phone is not counted per phone (validation rejects it; no SMS goes out);
 * - the counter's key: `<rule>:<HMAC of the value>` under PII_HMAC_KEY (its own domain,
 *   `rate-limit`): no phone number or IP is stored in clear, and every instance of a
 *   deployment computes the same key (the storage adds the Redis key prefix);
 * - a hit on the storage (a sliding window of 10 minutes); when refused: 429 RATE_LIMITED with
 *   `Retry-After` = seconds until the oldest counted hit leaves the window, and
 *   `details: {scope, limit, window_seconds}`; otherwise, for IP rules, the
 *   `X-RateLimit-Limit|Remaining|Reset-<rule>` headers (not for the phone rule: how many codes
 *   were sent to a number is not for whoever typed it).
 * Routes no rule covers pass without a storage call. Guards run before the validation pipe, so
 * a request is counted even when its body turns out to be invalid.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    @Inject(RATE_LIMIT_RULES) private readonly rules: RateLimitRule[],
    @Inject(RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorage,
    private readonly blindIndex: BlindIndex,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** The rules of each route handler, computed on its first request. */
  private readonly rulesByHandler = new WeakMap<object, RateLimitRule[]>();

  private rulesOf(context: ExecutionContext): RateLimitRule[] {
    const handler = context.getHandler();
    let rules = this.rulesByHandler.get(handler);
    if (rules === undefined) {
      const routes = routeKeysOf(context);
      rules = this.rules.filter((rule) => rule.routes.some((route) => routes.includes(route)));
      this.rulesByHandler.set(handler, rules);
    }
    return rules;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rules = this.rulesOf(context);
    if (rules.length === 0) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequestLike>();
    for (const rule of rules) {
      const tracked = rule.scope === 'phone' ? phoneOf(request) : ipOf(request);
      if (tracked === null) continue;
      const key = `${rule.name}:${this.blindIndex.compute('rate-limit', `${rule.scope}:${tracked}`)}`;
      const record = await this.storage.increment(key, RATE_LIMIT_WINDOW_MS, rule.limit, 0, rule.name);
      if (record.isBlocked) {
        throw new RateLimitedError(record.timeToBlockExpire, {
          scope: rule.scope,
          limit: rule.limit,
          window_seconds: RATE_LIMIT_WINDOW_MS / 1000,
        });
      }
      if (rule.scope === 'ip') {
        const response = http.getResponse<unknown>();
        const adapter = this.adapterHost.httpAdapter;
        adapter.setHeader(response, `X-RateLimit-Limit-${rule.name}`, String(rule.limit));
        adapter.setHeader(response, `X-RateLimit-Remaining-${rule.name}`, String(Math.max(0, rule.limit - record.totalHits)));
        adapter.setHeader(response, `X-RateLimit-Reset-${rule.name}`, String(record.timeToExpire));
      }
    }
    return true;
  }
}

function phoneOf(request: HttpRequestLike): string | null {
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  return normalizePhone((body as { phone?: unknown }).phone);
}

function ipOf(request: HttpRequestLike): string {
  return typeof request.ip === 'string' && request.ip.length > 0 ? normalizeIp(request.ip, IPV6_PREFIX) : 'unknown';
}
