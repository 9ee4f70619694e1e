import { SetMetadata } from '@nestjs/common';

export const RATE_LIMIT_METADATA = 'common:rate-limit';

/** The limits a route can declare; the host decides what each one counts (the api: rate-limit.rules.ts). */
export const RATE_LIMIT_NAMES = ['otp-request', 'confirm', 'signup', 'window-start', 'redirect'] as const;
export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];

/**
 * The rate limit a route (method) or every route of a controller (class) counts against; the
 * method's replaces the class's. A route without it is not limited, whatever its path.
 */
export function RateLimit(name: RateLimitName): ClassDecorator & MethodDecorator {
  if (!(RATE_LIMIT_NAMES as readonly string[]).includes(name)) {
    throw new TypeError(`@RateLimit: unknown limit "${String(name)}"`);
  }
  return SetMetadata(RATE_LIMIT_METADATA, name);
}
