import { LogThrottle } from './log-throttle';

describe('LogThrottle', () => {
  it('admits the first line of a key, holds back the rest for the interval, then counts them on the next line', () => {
    let now = 1_000;
    const throttle = new LogThrottle(5_000, () => now);
    expect(throttle.admit('a')).toBe(0);
    expect(throttle.admit('a')).toBeNull();
    now += 4_999;
    expect(throttle.admit('a')).toBeNull();
    now += 1;
    expect(throttle.admit('a')).toBe(2);
    expect(throttle.admit('a')).toBeNull();
  });

  it('keeps keys apart', () => {
    const throttle = new LogThrottle(5_000, () => 0);
    expect(throttle.admit('a')).toBe(0);
    expect(throttle.admit('b')).toBe(0);
    expect(throttle.admit('a')).toBeNull();
  });

  it('remembers a bounded number of keys, forgetting the oldest', () => {
    const throttle = new LogThrottle(5_000, () => 0, 2);
    throttle.admit('a');
    throttle.admit('b');
    throttle.admit('c');
    expect(throttle.admit('a')).toBe(0);
    expect(throttle.admit('c')).toBeNull();
  });
});
