import type { RateLimitName } from '@app/common';
import type { AppConfig } from '../config/app-config';

/** Injection token of the rules the guard enforces. */
export const RATE_LIMIT_RULES = Symbol.for('iamport-backend.rate-limit-rules');
/** Injection token of the `SubjectRateLimitRules`. */
export const SUBJECT_RATE_LIMIT_RULES = Symbol.for('iamport-backend.subject-rate-limit-rules');

/** Every limit counts over a sliding window of 10 minutes. */
export const RATE_LIMIT_WINDOW_MS = 10 * 60 * 1000;

export type RateLimitScope = 'ip' | 'phone' | 'admin-key';

export interface RateLimitRule {
  /** Part of the counter's key and of the X-RateLimit-* header names. */
  name: string;
  /**
   * Who is counted: the client IP (by the guard, before anything else), the phone (by the OTP
   * flow once the request is valid, through `SubjectRateLimiter`), or the admin key id.
   */
  scope: RateLimitScope;
  limit: number;
  /** Default RATE_LIMIT_WINDOW_MS. */
  windowMs?: number;
}

/** What each `@RateLimit(name)` of the routes counts, in the order the rules are checked. */
export type RateLimitRules = Readonly<Record<RateLimitName, readonly RateLimitRule[]>>;

/**
 * IP before phone on the OTP request: a request refused for its IP must not use up the phone's
 * quota, and an invalid one (400) spends none of it: the phone rule is counted by the OTP flow
 * just before the upstream call. OTP and popup confirmations share one counter. Over its limit the redirect answers a
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

/** 24 hours: the window of the failed-confirmation cap. */
export const DAY_MS = 24 * 60 * 60 * 1000;

/** Rules counted on a subject a route only knows after validation or authentication. */
export interface SubjectRateLimitRules {
  /** Wrong OTPs per phone per day, then every confirmation for it is refused (NIST SP 800-63B: at most 100). */
  otpFailures: RateLimitRule;
  /** Requests per admin key (all admin routes together). */
  adminKey: RateLimitRule;
}

export function subjectRateLimitRules(config: AppConfig): SubjectRateLimitRules {
  return {
    otpFailures: { name: 'otp-failures-phone', scope: 'phone', limit: config.otp.failureLimitPerPhonePerDay, windowMs: DAY_MS },
    adminKey: { name: 'admin-key', scope: 'admin-key', limit: config.admin.rateLimitPerKey },
  };
}
