/**
 * Graceful shutdown of a real api process: SIGTERM while OTP requests are in flight (the
 * upstream takes 2 s to answer) -> the listening socket closes at once (new connections are
 * refused), the requests in flight complete (201, their rows written), the database pool and
 * the Redis connection are closed, and the process exits 0. A request longer than
 * SHUTDOWN_GRACE_MS is cut, and the process still exits 0, in time.
 */
import { jest } from '@jest/globals';
import { connect } from 'node:net';
import { describeIf, processTestsUnavailable, testRedisUrl } from '../support/availability';
import { deleteKeysUnder, uniquePrefix } from '../support/redis';
import { call, Deployment, type ApiProcess } from '../support/cluster';
import { NO_RATE_LIMITS } from '../support/limits';
import { freshPhone } from '../support/people';

jest.setTimeout(120_000);

const PERSON = { name: '정수빈', birth: '19950707', gender_digit: '2', carrier: 'SKT' };

let d: Deployment;
// Redis is optional here: with one, the shutdown also closes the Redis connection.
const redisUrl = testRedisUrl;
const prefix = uniquePrefix('shutdown');

function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

async function connectionsOf(d: Deployment): Promise<number> {
  const name = new URL(d.db.url).pathname.slice(1);
  const [row] = await d.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [name],
  );
  return row.n;
}

async function startApi(env: Record<string, string>): Promise<ApiProcess> {
  return d!.startApi({
    ...NO_RATE_LIMITS,
    IAMPORT_TIMEOUT_MS: '10000',
    LOG_LEVEL: 'info',
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix } : {}),
    ...env,
  });
}

describeIf('shutdown', processTestsUnavailable())('graceful shutdown of an api process', () => {
  beforeAll(async () => {
    d = await Deployment.create();
  });
  afterAll(async () => {
    await d?.close();
    if (redisUrl) await deleteKeysUnder(redisUrl, prefix);
  });
  afterEach(async () => d?.clearFaults());

  it('on SIGTERM: stops accepting, completes the requests in flight, closes the pool, exits 0', async () => {
    const api = await startApi({ SHUTDOWN_GRACE_MS: '10000' });
    expect(await connectionsOf(d)).toBeGreaterThan(0);
    await d.fault({ path_prefix: '/certifications/otp/request', latency_ms: 2000 });

    const phones = Array.from({ length: 10 }, () => freshPhone());
    const inFlight = phones.map((phone) => call<{ imp_uid: string }>(api.url, 'POST', '/certifications/otp/request', { ...PERSON, phone }));
    await new Promise((r) => setTimeout(r, 700)); // all accepted, waiting on the upstream
    const signalledAt = Date.now();
    api.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    expect(await refused(api.url)).toBe(true);

    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(phones.map(() => 201));
    expect(await api.proc.exited).toBe(0);
    const took = Date.now() - signalledAt;
    expect(took).toBeLessThan(5000);

    const rows = await d.sql<{ imp_uid: string }>('SELECT imp_uid FROM certifications WHERE imp_uid = ANY($1)', [answers.map((a) => a.body.imp_uid)]);
    expect(rows).toHaveLength(10);
    // the pool is closed: no connection of the api is left on the database
    let left = await connectionsOf(d);
    for (let i = 0; i < 20 && left > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await connectionsOf(d);
    }
    expect(left).toBe(0);
    expect(api.output()).toMatch(/Shutdown complete/);
  });

  it('cuts a request that outlives SHUTDOWN_GRACE_MS and still exits 0 in time', async () => {
    const api = await startApi({ SHUTDOWN_GRACE_MS: '1000' });
    await d.fault({ path_prefix: '/certifications/otp/request', latency_ms: 8000 });
    const slow = call(api.url, 'POST', '/certifications/otp/request', { ...PERSON, phone: freshPhone() });
    await new Promise((r) => setTimeout(r, 500));
    const signalledAt = Date.now();
    api.kill('SIGTERM');
    expect(await api.proc.exited).toBe(0);
    const took = Date.now() - signalledAt;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(4000);
    const answer = await slow;
    expect(answer.status).toBe(0); // the connection was closed without an answer
    expect(api.output()).toMatch(/still in flight after 1000 ms/);
  });
});
