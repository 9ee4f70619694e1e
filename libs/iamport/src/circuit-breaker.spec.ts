import { CircuitBreaker, type CircuitPermit, type CircuitState } from './circuit-breaker';

function setup(failureThreshold = 3, resetTimeoutMs = 1000) {
  let t = 0;
  const transitions: string[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold,
    resetTimeoutMs,
    now: () => t,
    onStateChange: (from: CircuitState, to: CircuitState) => transitions.push(`${from}->${to}`),
  });
  const advance = (ms: number) => {
    t += ms;
  };
  const acquire = (): CircuitPermit => {
    const a = breaker.tryAcquire();
    if (!a.allowed) throw new Error('expected a permit');
    return a.permit;
  };
  const fail = (n: number) => {
    for (let i = 0; i < n; i++) breaker.onFailure(acquire());
  };
  return { breaker, advance, acquire, fail, transitions };
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold and opens at the threshold of consecutive failures', () => {
    const { breaker, fail, transitions } = setup(3);
    fail(2);
    expect(breaker.state()).toBe('closed');
    fail(1);
    expect(breaker.state()).toBe('open');
    expect(transitions).toEqual(['closed->open']);
  });

  it('counts consecutive failures only: a success resets the count', () => {
    const { breaker, fail, acquire } = setup(3);
    fail(2);
    breaker.onSuccess(acquire());
    fail(2);
    expect(breaker.state()).toBe('closed');
    fail(1);
    expect(breaker.state()).toBe('open');
  });

  it('fails fast while open, with the time left until the reset timeout', () => {
    const { breaker, fail, advance } = setup(1, 1000);
    fail(1);
    advance(300);
    const a = breaker.tryAcquire();
    expect(a).toEqual({ allowed: false, retryAfterMs: 700 });
  });

  it('turns half-open after resetTimeoutMs and lets exactly one probe through', () => {
    const { breaker, fail, advance } = setup(1, 1000);
    fail(1);
    advance(999);
    expect(breaker.state()).toBe('open');
    advance(1);
    expect(breaker.state()).toBe('half-open');
    const probe = breaker.tryAcquire();
    expect(probe.allowed).toBe(true);
    expect(probe.allowed && probe.permit.probe).toBe(true);
    const second = breaker.tryAcquire();
    expect(second.allowed).toBe(false);
  });

  it('closes after a successful probe', () => {
    const { breaker, fail, advance, acquire, transitions } = setup(2, 1000);
    fail(2);
    advance(1000);
    breaker.onSuccess(acquire());
    expect(breaker.state()).toBe('closed');
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
    // the failure count starts from zero again
    fail(1);
    expect(breaker.state()).toBe('closed');
  });

  it('reopens after a failed probe, for another full reset timeout', () => {
    const { breaker, fail, advance, acquire } = setup(2, 1000);
    fail(2);
    advance(1500);
    breaker.onFailure(acquire());
    expect(breaker.state()).toBe('open');
    advance(999);
    expect(breaker.tryAcquire()).toEqual({ allowed: false, retryAfterMs: 1 });
    advance(1);
    expect(breaker.state()).toBe('half-open');
  });

  it('lets the next call probe when a probe is released without a verdict', () => {
    const { breaker, fail, advance, acquire } = setup(1, 10);
    fail(1);
    advance(10);
    breaker.release(acquire());
    expect(breaker.state()).toBe('half-open');
    const next = breaker.tryAcquire();
    expect(next.allowed && next.permit.probe).toBe(true);
  });

  it('ignores late outcomes of calls admitted before it opened', () => {
    const { breaker, acquire, advance } = setup(2, 1000);
    const slowA = acquire();
    const slowB = acquire();
    const slowC = acquire();
    breaker.onFailure(acquire());
    breaker.onFailure(slowA);
    expect(breaker.state()).toBe('open');
    breaker.onSuccess(slowB); // a late success while open does not close it
    expect(breaker.state()).toBe('open');
    advance(1000);
    const probe = acquire();
    breaker.onFailure(slowC); // a late failure in half-open does not decide
    expect(breaker.state()).toBe('half-open');
    breaker.onSuccess(probe);
    expect(breaker.state()).toBe('closed');
  });

  it('settles a permit once: a second verdict on it is ignored', () => {
    const { breaker, acquire } = setup(2);
    const p = acquire();
    breaker.onFailure(p);
    breaker.onFailure(p);
    expect(breaker.state()).toBe('closed');
  });

  it('rejects invalid settings', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, resetTimeoutMs: 1 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ failureThreshold: 1, resetTimeoutMs: -1 })).toThrow(RangeError);
  });
});
