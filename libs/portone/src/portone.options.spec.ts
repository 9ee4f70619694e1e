import { UPSTREAM_BREAKER_DEFAULTS } from '@app/iamport';
import { resolvePortOneOptions } from './portone.options';

const base = { baseUrl: 'http://127.0.0.1:1', apiSecret: 'secret-value' };

describe('resolvePortOneOptions: the breaker', () => {
  it("has libs/iamport's options and defaults", () => {
    const { failureRatio, windowMs, minimumCalls, failureThreshold, resetTimeoutMs } = resolvePortOneOptions(base);
    expect({ failureRatio, windowMs, minimumCalls, failureThreshold, resetTimeoutMs }).toEqual(UPSTREAM_BREAKER_DEFAULTS);
  });

  it('refuses a ratio outside (0, 1) and a window under 1 s, without the secret in the message', () => {
    for (const breaker of [{ failureRatio: 1 }, { failureRatio: 0 }, { windowMs: 500 }, { minimumCalls: 0 }]) {
      expect(() => resolvePortOneOptions({ ...base, breaker })).toThrow(/^PortOneModule: breaker\./);
      expect(() => resolvePortOneOptions({ ...base, breaker })).not.toThrow(/secret-value/);
    }
  });
});
