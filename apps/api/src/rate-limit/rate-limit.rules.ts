import type { AppConfig } from '../config/app-config';

/** Injection token of the rules the guard enforces. */
export const RATE_LIMIT_RULES = Symbol.for('iamport-backend.rate-limit-rules');

/** Every limit counts over a sliding window of 10 minutes. */
export const RATE_LIMIT_WINDOW_MS = 10 * 60 * 1000;

export type RateLimitScope = 'ip' | 'phone';

export interface RateLimitRule {
  /** Throttler name; part of the counter's key and of the X-RateLimit-* header names. */
  name: string;
  /** Who is counted: the client IP, or the normalized phone number of the OTP request body. */
  scope: RateLimitScope;
  /** Routes as `METHOD /path` with parameters written `:param` (see route-key.ts). */
  routes: string[];
  limit: number;
}

export const ROUTES = {
  otpRequest: 'POST /certifications/otp/request',
  otpConfirm: 'POST /certifications/otp/confirm/:param',
  popupConfirm: 'POST /certifications',
  redirect: 'GET /certifications/redirect',
  signup: 'POST /users',
} as const;

/**
 * The limits, in the order they are checked. The IP limit of the OTP request comes before the
 * per-phone one, so a request refused for its IP does not use up a phone number's quota (a
 * request refused for its phone still counts against its IP: one IP hammering one number is
 * what the IP limit is for).
 *
 * - OTP requests: `OTP_SEND_LIMIT_PER_IP` per IP and `OTP_SEND_LIMIT_PER_PHONE` per phone
 *   (each one may send an SMS, which costs money and can be used to harass a number);
 * - confirmations, OTP and popup alike, share `OTP_CONFIRM_LIMIT_PER_IP` per IP (each one calls
 *   upstream; guessing OTPs across many imp_uids is an IP-level attack, the per-imp_uid attempt
 *   limit is the flows' own);
 * - not GET /certifications/redirect: its contract is a 302 to the success or failure page,
 *   always, and a guard can only answer a JSON 429 (see docs/resilience.md);
 * - signups: `SIGNUP_LIMIT_PER_IP` per IP.
 */
export function rateLimitRules(config: AppConfig): RateLimitRule[] {
  return [
    { name: 'otp-request-ip', scope: 'ip', routes: [ROUTES.otpRequest], limit: config.otp.sendLimitPerIp },
    { name: 'otp-request-phone', scope: 'phone', routes: [ROUTES.otpRequest], limit: config.otp.sendLimitPerPhone },
    {
      name: 'confirm-ip',
      scope: 'ip',
      routes: [ROUTES.otpConfirm, ROUTES.popupConfirm],
      limit: config.otp.confirmLimitPerIp,
    },
    { name: 'signup-ip', scope: 'ip', routes: [ROUTES.signup], limit: config.signupLimitPerIp },
  ];
}
