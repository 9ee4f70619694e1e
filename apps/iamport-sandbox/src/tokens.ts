import { randomBytes } from 'node:crypto';
import type { SandboxClock } from './clock';

/** A token lives 30 minutes from issue. */
export const TOKEN_TTL_SECONDS = 30 * 60;
/** Asked again within this many seconds before expiry, the token is extended... */
export const TOKEN_EXTEND_WINDOW_SECONDS = 60;
/** ...by this many seconds. */
export const TOKEN_EXTENSION_SECONDS = 5 * 60;

export interface IssuedToken {
  access_token: string;
  now: number;
  expired_at: number;
}

export type TokenCheck = 'valid' | 'expired' | 'unknown';

/** The upstream's token rules (docs/upstream.md); one key pair, so one current token. */
export class TokenStore {
  private readonly expiries = new Map<string, number>();
  private current: string | null = null;

  constructor(private readonly clock: SandboxClock) {}

  issue(): IssuedToken {
    const now = this.clock.now();
    const current = this.current;
    if (current !== null) {
      const expiredAt = this.expiries.get(current);
      if (expiredAt !== undefined && now < expiredAt) {
        let next = expiredAt;
        if (expiredAt - now <= TOKEN_EXTEND_WINDOW_SECONDS) {
          next = expiredAt + TOKEN_EXTENSION_SECONDS;
          this.expiries.set(current, next);
        }
        return { access_token: current, now, expired_at: next };
      }
    }
    this.prune(now);
    const token = randomBytes(20).toString('hex');
    const expiredAt = now + TOKEN_TTL_SECONDS;
    this.expiries.set(token, expiredAt);
    this.current = token;
    return { access_token: token, now, expired_at: expiredAt };
  }

  check(token: string): TokenCheck {
    const expiredAt = this.expiries.get(token);
    if (expiredAt === undefined) return 'unknown';
    return this.clock.now() < expiredAt ? 'valid' : 'expired';
  }

  /** Fault: every issued token expires now. Returns how many were still valid. */
  expireAll(): number {
    const now = this.clock.now();
    let count = 0;
    for (const [token, expiredAt] of this.expiries) {
      if (expiredAt > now) {
        count++;
        this.expiries.set(token, now);
      }
    }
    return count;
  }

  reset(): void {
    this.expiries.clear();
    this.current = null;
  }

  /** Forget tokens expired for more than a day (they answer 401 either way). */
  private prune(now: number): void {
    for (const [token, expiredAt] of this.expiries) {
      if (expiredAt < now - 86_400) this.expiries.delete(token);
    }
  }
}
