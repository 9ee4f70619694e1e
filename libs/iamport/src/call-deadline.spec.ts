import { CallDeadline } from './call-deadline';
import { IamportTimeoutError } from './iamport.errors';

describe('CallDeadline', () => {
  it('reports its budget, not the time left, and marks the error as the call deadline', () => {
    const error = CallDeadline.start(800).error('getToken');
    expect(error).toBeInstanceOf(IamportTimeoutError);
    expect(error).toMatchObject({ operation: 'getToken', timeoutMs: 800, callDeadline: true });
  });

  it('race: the promise when it settles in time, the deadline error when it does not', async () => {
    const deadline = CallDeadline.start(100);
    await expect(deadline.race(Promise.resolve('in time'), 'getCertification')).resolves.toBe('in time');
    const late = new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 300));
    const started = performance.now();
    await expect(deadline.race(late, 'getCertification')).rejects.toMatchObject({ callDeadline: true, timeoutMs: 100 });
    expect(performance.now() - started).toBeLessThan(250);
    await new Promise((resolve) => setTimeout(resolve, 250)); // the late rejection is observed, not unhandled
  });

  it('earlierBy moves the deadline, keeps the budget; a passed deadline fails at once', async () => {
    const deadline = CallDeadline.start(1000).earlierBy(1000);
    expect(deadline.left()).toBeLessThanOrEqual(0);
    await expect(deadline.race(new Promise(() => undefined), 'getToken')).rejects.toMatchObject({ timeoutMs: 1000 });
  });

  it('signal aborts when the deadline passes', async () => {
    const signal = CallDeadline.start(30).signal();
    expect(signal.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(signal.aborted).toBe(true);
  });
});
