import type { Logger } from '@nestjs/common';
import { CallDeadline } from './call-deadline';
import type { TokenResponse } from './envelope';
import { describeError, nameOf } from './describe-error';
import type { IamportRedactor } from './redactor';
import type { IamportStoredToken, IamportTokenStore } from './token-store';

export interface TokenManagerOptions {
  timeoutMs: number;
  callDeadlineMs: number;
  tokenRefreshMarginMs: number;
}

/**
 * The access token: read from the store, fetched single-flight when missing or inside the refresh
 * margin, with its expiry on the server's clock. `fetch` is getToken through the call policy.
 */
export class IamportTokenManager {
  private inFlight: Promise<IamportStoredToken> | null = null;
  /** The last token `peek` answered and the redactor was told of (once per token, not per call). */
  private peeked: string | null = null;

  constructor(
    private readonly store: IamportTokenStore,
    private readonly options: TokenManagerOptions,
    private readonly redactor: IamportRedactor,
    private readonly fetch: (deadline: CallDeadline) => Promise<TokenResponse>,
    private readonly logger: Logger,
  ) {}

  /**
   * A token valid beyond the refresh margin, waited for until `deadline`. With a token inside the
   * margin but still valid, the refresh is waited for only while it leaves the call one whole attempt.
   */
  async accessToken(deadline: CallDeadline): Promise<string> {
    const peeked = this.peek();
    const cached = peeked !== undefined ? peeked : await deadline.race(this.read(), 'getToken');
    if (cached && Date.now() < cached.expiresAtMs - this.options.tokenRefreshMarginMs) return cached.accessToken;
    const stillValid = cached !== null && Date.now() < cached.expiresAtMs;
    const waitUntil = stillValid ? deadline.earlierBy(this.options.timeoutMs) : deadline;
    try {
      return (await waitUntil.race(this.refresh(), 'getToken')).accessToken;
    } catch (error) {
      if (cached && Date.now() < cached.expiresAtMs) {
        this.logger.warn(`i'mport token refresh failed (${describeError(error)}); using the current token until it expires`);
        return cached.accessToken;
      }
      throw error;
    }
  }

  /** Forgets `token` after a 401, only if the store still holds it (concurrent 401s keep a fresh one). */
  async invalidate(token: string): Promise<void> {
    try {
      await this.store.clear(token);
    } catch (error) {
      this.logger.warn(`i'mport token store clear failed (${nameOf(error)})`);
    }
  }

  /** The fetch in flight, or a new one under a deadline of its own: callers leave at theirs, it goes on. */
  private refresh(): Promise<IamportStoredToken> {
    if (!this.inFlight) {
      const own = CallDeadline.start(this.options.callDeadlineMs);
      const flight = own.race(this.fetchAndStore(own), 'getToken');
      this.inFlight = flight;
      const clear = () => {
        if (this.inFlight === flight) this.inFlight = null;
      };
      flight.then(clear, clear);
    }
    return this.inFlight;
  }

  private async fetchAndStore(deadline: CallDeadline): Promise<IamportStoredToken> {
    // Another instance sharing the store may have refreshed it meanwhile.
    const shared = await this.read();
    if (shared && Date.now() < shared.expiresAtMs - this.options.tokenRefreshMarginMs) return shared;

    const requestedAt = Date.now();
    const body = await this.fetch(deadline);
    // Server-clock lifetime anchored at the local request time: local skew does not matter.
    const remainingMs = Math.max(0, (body.expired_at - body.now) * 1000);
    const token: IamportStoredToken = { accessToken: body.access_token, expiresAtMs: requestedAt + remainingMs };
    this.redactor.remember(token.accessToken);
    try {
      await this.store.set(token, remainingMs);
    } catch (error) {
      this.logger.warn(`i'mport token store set failed (${nameOf(error)}); using the token without caching it`);
    }
    if (remainingMs <= this.options.tokenRefreshMarginMs) {
      this.logger.warn(`i'mport token expires in ${Math.round(remainingMs / 1000)} s, within the refresh margin`);
    }
    return token;
  }

  /** The store's synchronous read, as `read` handles `get`: its failure is no token, its token is redacted. undefined: no peek. */
  private peek(): IamportStoredToken | null | undefined {
    if (!this.store.peek) return undefined;
    try {
      const token = this.store.peek();
      if (token && token.accessToken !== this.peeked) {
        this.redactor.remember(token.accessToken);
        this.peeked = token.accessToken;
      }
      return token;
    } catch (error) {
      this.logger.warn(`i'mport token store peek failed (${nameOf(error)}); fetching a token`);
      return null;
    }
  }

  private async read(): Promise<IamportStoredToken | null> {
    try {
      const token = await this.store.get();
      if (token) this.redactor.remember(token.accessToken);
      return token;
    } catch (error) {
      this.logger.warn(`i'mport token store get failed (${nameOf(error)}); fetching a token`);
      return null;
    }
  }
}
