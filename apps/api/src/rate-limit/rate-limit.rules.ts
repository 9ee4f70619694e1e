import type { RateLimitName } from '@app/common';
import type { AppConfig } from '../config/app-config';

/** Injection token of the rules the guard enforces. */
export const RATE_LIMIT_RULES = Symbol.for('iamport-backend.rate-limit-rules');

/** Every limit counts over a sliding window of 10 minutes. */
export const RATE_LIMIT_WINDOW_MS = 10 * 60 * 1000;

export type RateLimitScope = 'ip' | 'phone';

export interface RateLimitRule {
  /** Part of the counter's key and of the X-RateLimit-* header names. */
  name: string;
  /** Who is counted: the client IP, or the normalized phone number of the request body. */
  scope: RateLimitScope;
  limit: number;
}

/** What each `@RateLimit(name)` of the routes counts, in the order the rules are checked. */
export type RateLimitRules = Readonly<Record<RateLimitName, readonly RateLimitRule[]>>;

/**
 * IP before phone on the OTP request: a request refused for its IP must not use up the phone's
 * quota. OTP and popup confirmations share one counter. Over its limit the redirect answers a
 * 302 to the failure URL (the certification lib's filter), never a JSON 429.
 */
export function rateLimitRules(config: AppConfig): RateLimitRules {
  return {
    'otp-request': [
      { name: 'otp-request-ip', scope: 'ip', limit: config.otp.sendLimitPerIp },
      { name: 'otp-request-phone', scope: 'phone', limit: config.otp.sendLimitPerPhone },
    ],
    confirm: [{ name: 'confirm-ip', scope: 'ip', limit: config.otp.confirmLimitPerIp }],
    signup: [{ name: 'signup-ip', scope: 'ip', limit: config.signupLimitPerIp }],
    'window-start': [{ name: 'window-start-ip', scope: 'ip', limit: config.window.startLimitPerIp }],
    redirect: [{ name: 'redirect-ip', scope: 'ip', limit: config.window.redirectLimitPerIp }],
  };
}
