import { TaskCancelledError } from 'cockatiel';
import { AttemptTimeouts, RetryLoops, RetryRequest, requestedDelay } from './shared-policies';

describe('RetryLoops', () => {
  it('runs an attempt once when no retry is allowed, and throws what a RetryRequest carries', async () => {
    const loops = new RetryLoops(requestedDelay);
    const cause = new Error('first');
    let calls = 0;
    await expect(loops.run(0, async () => {
      calls += 1;
      throw new RetryRequest(cause);
    })).rejects.toBe(cause);
    expect(calls).toBe(1);
  });

  it('goes again after the requested delay, up to maxRetries, then throws the last error', async () => {
    const loops = new RetryLoops(requestedDelay);
    const starts: number[] = [];
    const errors = [new Error('a'), new Error('b'), new Error('c')];
    const failure = loops.run(2, async () => {
      starts.push(performance.now());
      throw new RetryRequest(errors[starts.length - 1], 30);
    });
    await expect(failure).rejects.toBe(errors[2]);
    expect(starts).toHaveLength(3);
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(25);
  });

  it('stops at the first error that is not a RetryRequest, and answers a later success', async () => {
    const loops = new RetryLoops(requestedDelay);
    const final = new Error('final');
    let calls = 0;
    await expect(loops.run(5, async () => {
      calls += 1;
      throw final;
    })).rejects.toBe(final);
    expect(calls).toBe(1);
    let tries = 0;
    await expect(loops.run(3, async () => {
      tries += 1;
      if (tries < 3) throw new RetryRequest(new Error('again'));
      return 'done';
    })).resolves.toBe('done');
  });

  it('keeps one loop per call state: concurrent calls do not share attempts', async () => {
    const loops = new RetryLoops(requestedDelay);
    const run = (failures: number) => {
      let n = 0;
      return loops.run(3, async () => {
        n += 1;
        if (n <= failures) throw new RetryRequest(new Error(`fail ${n}`), 5);
        return n;
      });
    };
    await expect(Promise.all([run(0), run(2), run(3)])).resolves.toEqual([1, 3, 4]);
  });
});

describe('AttemptTimeouts', () => {
  it('shares the configured timeout and makes a shorter one when asked', async () => {
    const timeouts = new AttemptTimeouts(1000);
    expect(timeouts.within(1000)).toBe(timeouts.within(5000));
    const short = timeouts.within(20);
    expect(short).not.toBe(timeouts.within(1000));
    await expect(short.execute(() => new Promise((resolve) => setTimeout(resolve, 500)))).rejects.toBeInstanceOf(TaskCancelledError);
  });

  it('aborts the attempt signal when it times out, not after it completes', async () => {
    const timeouts = new AttemptTimeouts(30);
    let completed: AbortSignal | undefined;
    await timeouts.within(30).execute(async ({ signal }) => {
      completed = signal;
    });
    expect(completed?.aborted).toBe(false);
    let slow: AbortSignal | undefined;
    await expect(timeouts.within(30).execute(({ signal }) => {
      slow = signal;
      return new Promise((resolve) => setTimeout(resolve, 300));
    })).rejects.toBeInstanceOf(TaskCancelledError);
    expect(slow?.aborted).toBe(true);
  });
});
