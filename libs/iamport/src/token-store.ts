/** An access token with its expiry on the local wall clock (epoch milliseconds). */
export interface IamportStoredToken {
  accessToken: string;
  /**
   * Local wall-clock time (ms since epoch) at which upstream considers the token expired,
   * computed as the local time the token was requested + (expired_at - now) from upstream,
   * so a skewed local clock does not matter. Wall clock, not monotonic, so that several
   * instances can share one store (e.g. Redis).
   */
  expiresAtMs: number;
}

/**
 * Where the client keeps its access token. The default keeps it in memory (one per client);
 * a shared implementation (Redis) lets several instances reuse one token. Implementations
 * must never log the token.
 */
export interface IamportTokenStore {
  /** The stored token, or null. May return an expired token; the client checks `expiresAtMs`. */
  get(): Promise<IamportStoredToken | null>;
  /** Store `token`; `ttlMs` is how long it remains valid (for a store-side TTL). */
  set(token: IamportStoredToken, ttlMs: number): Promise<void>;
  /** Forget the token, but only if the stored one is still `accessToken` (compare-and-delete). */
  clear(accessToken: string): Promise<void>;
  /**
   * Optional: the token at once, for a store that holds it in this process (no deadline race,
   * no timer on every call). A shared store leaves this out.
   */
  peek?(): IamportStoredToken | null;
}

/** Injection token of the `IamportTokenStore` the module uses (exported by IamportModule). */
export const IAMPORT_TOKEN_STORE = Symbol('IAMPORT_TOKEN_STORE');

export class InMemoryIamportTokenStore implements IamportTokenStore {
  private token: IamportStoredToken | null = null;

  async get(): Promise<IamportStoredToken | null> {
    return this.peek();
  }

  peek(): IamportStoredToken | null {
    if (this.token && this.token.expiresAtMs <= Date.now()) this.token = null;
    return this.token ? { ...this.token } : null;
  }

  async set(token: IamportStoredToken, _ttlMs: number): Promise<void> {
    this.token = { ...token };
  }

  async clear(accessToken: string): Promise<void> {
    if (this.token?.accessToken === accessToken) this.token = null;
  }
}
