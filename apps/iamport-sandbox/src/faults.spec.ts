import { FaultRegistry, parseFaultInput } from './faults';

describe('FaultRegistry', () => {
  it('fires with the given probability, drawing from the random source', () => {
    const draws = [0.1, 0.5, 0.29, 0.31, 0.9];
    const registry = new FaultRegistry(() => draws.shift() ?? 1);
    registry.add(parseFaultInput({ path_prefix: '/certifications', status: 500, probability: 0.3 }));
    const fired = [1, 2, 3, 4, 5].map(() => registry.take('GET', '/certifications/imp_1')?.status ?? null);
    expect(fired).toEqual([500, null, 500, null, null]);
  });

  it('times counts firings only, then the rule is gone', () => {
    const draws = [0.9, 0.1, 0.1];
    const registry = new FaultRegistry(() => draws.shift() ?? 1);
    registry.add(parseFaultInput({ path_prefix: '/', status: 503, probability: 0.5, times: 2 }));
    expect(registry.take('GET', '/x')).toBeNull();
    expect(registry.take('GET', '/x')?.status).toBe(503);
    expect(registry.list()[0].times).toBe(1);
    expect(registry.take('GET', '/x')?.status).toBe(503);
    expect(registry.list()).toEqual([]);
  });

  it('combines rules: latencies add up, drop wins, the first status is used', () => {
    const registry = new FaultRegistry();
    registry.add(parseFaultInput({ path_prefix: '/certifications', latency_ms: 50 }));
    registry.add(parseFaultInput({ path_prefix: '/certifications/otp', latency_ms: 25, status: 502 }));
    registry.add(parseFaultInput({ path_prefix: '/certifications/otp', status: 500, method: 'POST' }));
    const d = registry.take('POST', '/certifications/otp/request');
    expect(d).toMatchObject({ latencyMs: 75, drop: false, status: 502, code: -1, processRequest: false });
    expect(registry.take('GET', '/users/getToken')).toBeNull();
    registry.add(parseFaultInput({ path_prefix: '/users', drop: true, process_request: true }));
    expect(registry.take('POST', '/users/getToken')).toMatchObject({ drop: true, processRequest: true, status: null });
  });
});
