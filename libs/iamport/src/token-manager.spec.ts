import { Logger } from '@nestjs/common';
import { CallDeadline } from './call-deadline';
import { IamportRedactor } from './redactor';
import { IamportTokenManager } from './token-manager';
import { InMemoryIamportTokenStore, type IamportStoredToken, type IamportTokenStore } from './token-store';

const OPTIONS = { timeoutMs: 1000, callDeadlineMs: 3000, tokenRefreshMarginMs: 60_000 };
const logger = new Logger('token-manager.spec');
logger.warn = () => undefined;

/** getToken as a fake: counts its calls, answers a 30-minute token. */
function fakeFetch(accessToken = 'tok_new') {
  const calls = { count: 0 };
  const fetch = async () => {
    calls.count += 1;
    const now = Math.floor(Date.now() / 1000);
    return { access_token: accessToken, now, expired_at: now + 1800 };
  };
  return { calls, fetch };
}

function manager(store: IamportTokenStore, fetch = fakeFetch().fetch): IamportTokenManager {
  return new IamportTokenManager(store, OPTIONS, new IamportRedactor([]), fetch, logger);
}

/** The in-memory store, counting its asynchronous reads. */
class CountingStore extends InMemoryIamportTokenStore {
  gets = 0;
  override async get(): Promise<IamportStoredToken | null> {
    this.gets += 1;
    return super.get();
  }
}

const fresh = (): IamportStoredToken => ({ accessToken: 'tok_a', expiresAtMs: Date.now() + 30 * 60_000 });

describe('IamportTokenManager with a store in this process (peek)', () => {
  it('answers the held token from peek, without reading the store asynchronously or fetching', async () => {
    const store = new CountingStore();
    await store.set(fresh(), 30 * 60_000);
    const { calls, fetch } = fakeFetch();
    await expect(manager(store, fetch).accessToken(CallDeadline.start(3000))).resolves.toBe('tok_a');
    expect(store.gets).toBe(0);
    expect(calls.count).toBe(0);
  });

  it('fetches when peek holds nothing, and peek then answers the new token', async () => {
    const store = new InMemoryIamportTokenStore();
    const { calls, fetch } = fakeFetch();
    const tokens = manager(store, fetch);
    await expect(tokens.accessToken(CallDeadline.start(3000))).resolves.toBe('tok_new');
    await expect(tokens.accessToken(CallDeadline.start(3000))).resolves.toBe('tok_new');
    expect(calls.count).toBe(1);
    expect(store.peek()?.accessToken).toBe('tok_new');
  });

  it('an expired token is not peeked, and a peeked token is a copy', async () => {
    const store = new InMemoryIamportTokenStore();
    await store.set({ accessToken: 'tok_old', expiresAtMs: Date.now() - 1 }, 0);
    expect(store.peek()).toBeNull();
    await store.set(fresh(), 30 * 60_000);
    const peeked = store.peek()!;
    peeked.accessToken = 'changed';
    expect(store.peek()?.accessToken).toBe('tok_a');
  });

  it('a shared store without peek is still read through get', async () => {
    let gets = 0;
    const store: IamportTokenStore = {
      get: async () => {
        gets += 1;
        return fresh();
      },
      set: async () => undefined,
      clear: async () => undefined,
    };
    await expect(manager(store).accessToken(CallDeadline.start(3000))).resolves.toBe('tok_a');
    expect(gets).toBe(1);
  });

  it('a peek that throws is no token: one is fetched', async () => {
    const store = new InMemoryIamportTokenStore();
    store.peek = () => {
      throw new Error('broken store');
    };
    const { calls, fetch } = fakeFetch();
    await expect(manager(store, fetch).accessToken(CallDeadline.start(3000))).resolves.toBe('tok_new');
    expect(calls.count).toBe(1);
  });

  it('a token the store held before (set by the host) is redacted from upstream messages once peeked', async () => {
    const store = new InMemoryIamportTokenStore();
    await store.set(fresh(), 30 * 60_000);
    const redactor = new IamportRedactor([]);
    const tokens = new IamportTokenManager(store, OPTIONS, redactor, fakeFetch().fetch, logger);
    await tokens.accessToken(CallDeadline.start(3000));
    expect(redactor.redact('bad token tok_a given', [])).not.toContain('tok_a');
  });
});
