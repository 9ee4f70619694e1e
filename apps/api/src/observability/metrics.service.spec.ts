import { MetricsService } from './metrics.service';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('MetricsService', () => {
  it('maps domain events: otp_* to otp_outcomes_total, signup_* to signups_total, the rest to domain_events_total', async () => {
    const m = new MetricsService();
    m.record('otp_requested');
    m.record({ type: 'otp_mismatch' });
    m.record({ type: 'otp_mismatch' });
    m.record('signup_conflict');
    m.record({ type: 'token_issued' });
    const text = await m.scrape();
    expect(sample(text, 'otp_outcomes_total{outcome="requested"}')).toBe(1);
    expect(sample(text, 'otp_outcomes_total{outcome="mismatch"}')).toBe(2);
    expect(sample(text, 'otp_outcomes_total{outcome="locked"}')).toBe(0);
    expect(sample(text, 'signups_total{outcome="conflict"}')).toBe(1);
    expect(sample(text, 'signups_total{outcome="completed"}')).toBe(0);
    expect(sample(text, 'domain_events_total{event="token_issued"}')).toBe(1);
  });

  it('ignores malformed event names (label values stay bounded) and never throws', async () => {
    const m = new MetricsService();
    for (const bad of ['', 'otp', 'OTP_MISMATCH', 'otp_01012345678 x', 'signup_' + 'a'.repeat(60), null, undefined, 42, {}]) {
      expect(() => m.record(bad as never)).not.toThrow();
    }
    const text = await m.scrape();
    expect(text).not.toMatch(/domain_events_total\{/);
    expect(text).not.toContain('01012345678');
  });

  it('reads the breaker state on scrape (0 closed, 1 half-open, 2 open)', async () => {
    const m = new MetricsService();
    let state: 'closed' | 'half-open' | 'open' = 'closed';
    m.setBreakerSource(() => state);
    expect(sample(await m.scrape(), 'iamport_circuit_breaker_state')).toBe(0);
    state = 'half-open';
    expect(sample(await m.scrape(), 'iamport_circuit_breaker_state')).toBe(1);
    state = 'open';
    expect(sample(await m.scrape(), 'iamport_circuit_breaker_state')).toBe(2);
  });

  it('counts upstream attempts and times them, except the fast failures of an open breaker', async () => {
    const m = new MetricsService();
    m.recordUpstreamCall({ operation: 'requestOtp', outcome: 'success', durationMs: 120 });
    m.recordUpstreamCall({ operation: 'requestOtp', outcome: 'circuit_open', durationMs: 0 });
    const text = await m.scrape();
    expect(sample(text, 'iamport_upstream_calls_total{operation="requestOtp",outcome="success"}')).toBe(1);
    expect(sample(text, 'iamport_upstream_calls_total{operation="requestOtp",outcome="circuit_open"}')).toBe(1);
    expect(sample(text, 'iamport_upstream_call_duration_seconds_sum{operation="requestOtp",outcome="success"}')).toBeCloseTo(0.12);
    expect(text).not.toContain('iamport_upstream_call_duration_seconds_count{operation="requestOtp",outcome="circuit_open"}');
  });

  it('observes requests by method, route and status, folds unknown methods, and counts RATE_LIMITED by route', async () => {
    const m = new MetricsService();
    m.observeHttpRequest({ method: 'POST', route: '/users', status: 201, seconds: 0.02 });
    m.observeHttpRequest({ method: 'PROPFIND', route: 'unmatched', status: 404, seconds: 0.001 });
    m.observeHttpRequest({ method: 'POST', route: '/certifications/otp/request', status: 429, seconds: 0.001, errorCode: 'RATE_LIMITED' });
    m.observeHttpRequest({ method: 'POST', route: '/certifications/otp/confirm/:imp_uid', status: 429, seconds: 0.001, errorCode: 'OTP_ATTEMPTS_EXCEEDED' });
    const text = await m.scrape();
    expect(sample(text, 'http_request_duration_seconds_count{method="POST",route="/users",status="201"}')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count{method="OTHER",route="unmatched",status="404"}')).toBe(1);
    expect(sample(text, 'rate_limit_refusals_total{route="/certifications/otp/request"}')).toBe(1);
    expect(text).not.toContain('rate_limit_refusals_total{route="/certifications/otp/confirm/:imp_uid"}');
  });

  it('keeps its own registry: two services do not share series', async () => {
    const a = new MetricsService();
    const b = new MetricsService();
    a.record('signup_completed');
    expect(sample(await a.scrape(), 'signups_total{outcome="completed"}')).toBe(1);
    expect(sample(await b.scrape(), 'signups_total{outcome="completed"}')).toBe(0);
  });
});
