import { IamportApiError, IamportNetworkError } from './iamport.errors';
import { UPSTREAM_BREAKER_DEFAULTS, UpstreamBreaker, isCircuitRefusal, type BreakerState } from './upstream-breaker';

const outage = () => new IamportNetworkError({ operation: 'getCertification', errorCode: 'ECONNRESET' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function breaker(options: Partial<ConstructorParameters<typeof UpstreamBreaker>[0]> = {}) {
  const transitions: string[] = [];
  const b = new UpstreamBreaker({
    failureRatio: 0.5,
    windowMs: 10_000,
    minimumCalls: 5,
    resetTimeoutMs: 60,
    onStateChange: (from: BreakerState, to: BreakerState) => transitions.push(`${from}->${to}`),
    ...options,
  });
  const signal = new AbortController().signal;
  const ok = () => b.execute(async () => 'ok', signal);
  const fail = () => b.execute(async () => Promise.reject(outage()), signal).catch((e: unknown) => e);
  return { b, transitions, ok, fail, signal };
}

describe('UpstreamBreaker', () => {
  it('opens when more than failureRatio of at least minimumCalls failed, not before', async () => {
    const { b, ok, fail } = breaker();
    await ok();
    await ok();
    await fail();
    await fail();
    expect(b.state()).toBe('closed'); // 4 calls: below minimumCalls
    await fail(); // 3 of 5 failed
    expect(b.state()).toBe('open');
    expect(isCircuitRefusal(await ok().catch((e: unknown) => e))).toBe(true);
    expect(b.retryAfterMs()).toBeGreaterThan(0);
    expect(b.retryAfterMs()).toBeLessThanOrEqual(60);
  });

  it('is sustained once open (through failed probes) for the sampling window, and no longer once closed', async () => {
    const { b, ok, fail } = breaker({ windowMs: 1000, minimumCalls: 1, failureThreshold: 1 });
    await fail();
    expect(b.state()).toBe('open');
    expect(b.sustained()).toBe(false); // a burst, so far
    for (let i = 0; i < 12; i++) {
      await sleep(90);
      await fail(); // the probe fails (or the call is refused)
    }
    expect(b.sustained()).toBe(true);
    await sleep(90);
    await ok(); // the probe succeeds
    expect(b.state()).toBe('closed');
    expect(b.sustained()).toBe(false);
  });

  it('stays closed under a failure share at or below the ratio', async () => {
    const { b, ok, fail } = breaker();
    for (let i = 0; i < 10; i++) {
      await ok();
      await fail();
    }
    expect(b.state()).toBe('closed');
  });

  it('counts only thrown IamportErrors: answers returned by the function, and other errors, are not failures', async () => {
    const { b, signal } = breaker({ minimumCalls: 1, failureThreshold: 1 });
    const alive = new IamportApiError({ operation: 'getCertification', httpStatus: 404 });
    for (let i = 0; i < 5; i++) await b.execute(async () => ({ error: alive }), signal);
    await b.execute(async () => Promise.reject(new TypeError('bug')), signal).catch(() => undefined);
    expect(b.state()).toBe('closed');
  });

  it('with failureThreshold, also opens on that many consecutive failures despite earlier successes', async () => {
    const { b, ok, fail } = breaker({ failureThreshold: 3 });
    for (let i = 0; i < 10; i++) await ok();
    await fail();
    await fail();
    expect(b.state()).toBe('closed');
    await fail();
    expect(b.state()).toBe('open');
  });

  it('reads half-open after resetTimeoutMs; a failed probe reopens it, a good one closes it; waiters follow the probe', async () => {
    const { b, transitions, ok, fail, signal } = breaker({ minimumCalls: 1 });
    await fail();
    expect(b.state()).toBe('open');
    await sleep(70);
    expect(b.state()).toBe('half-open');
    await fail(); // the probe
    expect(b.state()).toBe('open');
    await sleep(70);
    let release!: () => void;
    const probe = b.execute(() => new Promise<string>((resolve) => (release = () => resolve('probe'))), signal);
    expect(b.probing()).toBe(true);
    const waiter = ok(); // waits for the probe instead of failing
    release();
    expect(await probe).toBe('probe');
    expect(await waiter).toBe('ok');
    expect(b.state()).toBe('closed');
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->open', 'open->half-open', 'half-open->closed']);
  });
});

describe('UpstreamBreaker with the defaults (V1 and V2)', () => {
  it('a burst at even odds does not open it on a handful of samples: 20 calls or 10 in a row', async () => {
    const { b, ok, fail } = breaker({ ...UPSTREAM_BREAKER_DEFAULTS, onStateChange: undefined });
    // 3 of the first 5 failed (it opened here with the old 5 calls / 5 in a row), then 9 in a row
    for (const step of [fail, ok, fail, ok, fail, ok, fail, fail, fail, fail, fail, fail, fail, fail, fail]) await step();
    expect(b.state()).toBe('closed');
    await fail(); // the 10th in a row
    expect(b.state()).toBe('open');
  });

  it('counts what isFailure accepts (V2: its own error class); anything else thrown proves the upstream up', async () => {
    class V2Failure extends Error {}
    const { b, fail } = breaker({ minimumCalls: 1, failureThreshold: 1, isFailure: (e) => e instanceof V2Failure });
    await fail(); // an IamportError: not a failure for this breaker
    expect(b.state()).toBe('closed');
    await b.execute(async () => Promise.reject(new V2Failure())).catch(() => undefined);
    expect(b.state()).toBe('open');
  });
});
