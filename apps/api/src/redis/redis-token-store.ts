import { Logger } from '@nestjs/common';
import type { IamportStoredToken, IamportTokenStore } from '@app/iamport';
import type { RedisConnection } from './redis-connection';

/** Compare-and-delete: forget the token only if it is still the one the caller saw rejected. */
const CLEAR_IF_SAME = `
local value = redis.call('GET', KEYS[1])
if not value then return 0 end
local ok, token = pcall(cjson.decode, value)
if ok and type(token) == 'table' and token.accessToken == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/**
 * The upstream access token in Redis, shared by every api instance (one `getToken` serves them
 * all; upstream returns the same token until it expires anyway). Stored as JSON under
 * `${prefix}iamport:token` with a Redis TTL equal to the token's remaining life. The token is a
 * credential: it is never logged, and the key should be protected like the Redis password.
 *
 * While Redis fails, the store keeps working from a copy in this instance's memory (each
 * instance then holds its own token, as without Redis); it never throws.
 */
export class RedisIamportTokenStore implements IamportTokenStore {
  private readonly logger = new Logger('RedisTokenStore');
  private readonly key: string;
  private local: IamportStoredToken | null = null;
  private lastWarning = 0;

  constructor(private readonly redis: RedisConnection) {
    this.key = `${redis.prefix}iamport:token`;
  }

  async get(): Promise<IamportStoredToken | null> {
    let raw: string | null;
    try {
      raw = await this.redis.client.get(this.key);
    } catch (error) {
      this.warn('get', error);
      return this.local && this.local.expiresAtMs > Date.now() ? { ...this.local } : null;
    }
    const token = raw === null ? null : parse(raw);
    this.local = token;
    return token ? { ...token } : null;
  }

  async set(token: IamportStoredToken, ttlMs: number): Promise<void> {
    this.local = { accessToken: token.accessToken, expiresAtMs: token.expiresAtMs };
    try {
      await this.redis.client.set(this.key, JSON.stringify(this.local), 'PX', Math.max(1, Math.floor(ttlMs)));
    } catch (error) {
      this.warn('set', error);
    }
  }

  async clear(accessToken: string): Promise<void> {
    if (this.local?.accessToken === accessToken) this.local = null;
    try {
      await this.redis.client.eval(CLEAR_IF_SAME, 1, this.key, accessToken);
    } catch (error) {
      this.warn('clear', error);
    }
  }

  private warn(operation: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < 10_000) return;
    this.lastWarning = now;
    this.logger.warn(`Redis ${operation} of the upstream token failed (${(error as Error)?.name}); using this instance's copy`);
  }
}

function parse(raw: string): IamportStoredToken | null {
  try {
    const parsed = JSON.parse(raw) as Partial<IamportStoredToken>;
    if (typeof parsed.accessToken !== 'string' || typeof parsed.expiresAtMs !== 'number') return null;
    return { accessToken: parsed.accessToken, expiresAtMs: parsed.expiresAtMs };
  } catch {
    return null;
  }
}

/** The token store for IamportModule: shared in Redis when there is a connection, else the module's default (memory). */
export function iamportTokenStoreFor(redis: RedisConnection | null): IamportTokenStore | undefined {
  return redis ? new RedisIamportTokenStore(redis) : undefined;
}
