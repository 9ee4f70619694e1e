import { IamportClient } from '@app/iamport';
import { IamportSandbox } from '../../apps/iamport-sandbox/src/sandbox';
import { createRedisConnection, type RedisConnection } from '../../apps/api/src/redis/redis-connection';
import { RedisIamportTokenStore } from '../../apps/api/src/redis/redis-token-store';
import { itIf, redisMissing, testRedisUrl } from '../support/availability';
import { deleteKeysUnder, keysUnder, uniquePrefix } from '../support/redis';

const itWithRedis = itIf('the upstream token in Redis', redisMissing);

describe('the upstream token shared through Redis', () => {
  const redisUrl = testRedisUrl!;
  let sandbox: IamportSandbox;
  let sandboxUrl: string;
  const connections: RedisConnection[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    sandbox = new IamportSandbox({ logger: { log: () => undefined } });
    sandboxUrl = await sandbox.listen(0);
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
    if (redisUrl) for (const p of prefixes) await deleteKeysUnder(redisUrl, p);
    await sandbox.close();
  });
  beforeEach(() => sandbox.reset());

  const connect = async (prefix: string): Promise<RedisConnection> => {
    const c = createRedisConnection({ url: redisUrl, prefix });
    await c.client.connect();
    connections.push(c);
    return c;
  };
  const stats = async () =>
    (await (await fetch(`${sandboxUrl}/__sandbox/stats`)).json()) as { calls: Record<string, number> };
  const client = (store: RedisIamportTokenStore) =>
    new IamportClient({ baseUrl: sandboxUrl, impKey: 'sandbox_imp_key', impSecret: 'sandbox_imp_secret', tokenStore: store });

  itWithRedis('stores, reads and compare-and-deletes the token, with a Redis TTL', async () => {
    const prefix = uniquePrefix('token');
    prefixes.push(prefix);
    const c = await connect(prefix);
    const store = new RedisIamportTokenStore(c);
    expect(await store.get()).toBeNull();
    await store.set({ accessToken: 'a'.repeat(40), expiresAtMs: Date.now() + 60_000 }, 60_000);
    expect(await store.get()).toEqual({ accessToken: 'a'.repeat(40), expiresAtMs: expect.any(Number) });
    const ttl = await c.client.pttl(`${prefix}iamport:token`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await store.clear('b'.repeat(40)); // another token: kept
    expect((await store.get())?.accessToken).toBe('a'.repeat(40));
    await store.clear('a'.repeat(40));
    expect(await store.get()).toBeNull();
    // a corrupt value reads as no token
    await c.client.set(`${prefix}iamport:token`, '{not json');
    expect(await store.get()).toBeNull();
    expect(await keysUnder(redisUrl, prefix)).toEqual([`${prefix}iamport:token`]);
  });

  itWithRedis('lets two instances use one upstream token: one getToken for both, and one refresh after a 401', async () => {
    const prefix = uniquePrefix('token-shared');
    prefixes.push(prefix);
    const a = client(new RedisIamportTokenStore(await connect(prefix)));
    const b = client(new RedisIamportTokenStore(await connect(prefix)));
    try {
      const { imp_uid } = await a.requestOtp({ name: '홍길동', phone: '01012345678', birth: '900101', gender_digit: '1', carrier: 'SKT' });
      await b.getCertification(imp_uid);
      await a.getCertification(imp_uid);
      expect((await stats()).calls.getToken).toBe(1);

      // upstream expires every token: the first instance to hit the 401 refreshes it for both
      await fetch(`${sandboxUrl}/__sandbox/tokens/expire`, { method: 'POST' });
      await a.getCertification(imp_uid);
      await b.getCertification(imp_uid);
      expect((await stats()).calls.getToken).toBe(2);
    } finally {
      a.onModuleDestroy();
      b.onModuleDestroy();
    }
  });

  it('keeps working from its own copy (one getToken) when Redis is unreachable', async () => {
    const down = createRedisConnection({ url: 'redis://127.0.0.1:1', prefix: 'x:' });
    connections.push(down);
    down.client.connect().catch(() => undefined);
    const c = client(new RedisIamportTokenStore(down));
    try {
      const started = Date.now();
      const { imp_uid } = await c.requestOtp({ name: '홍길동', phone: '01012345678', birth: '900101', gender_digit: '1', carrier: 'SKT' });
      const cert = await c.getCertification(imp_uid);
      expect(cert.certified).toBe(false);
      await c.getCertification(imp_uid);
      expect(Date.now() - started).toBeLessThan(3000);
      expect((await stats()).calls.getToken).toBe(1);
    } finally {
      c.onModuleDestroy();
    }
  });
});
