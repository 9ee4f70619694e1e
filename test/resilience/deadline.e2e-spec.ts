/**
 * A silent upstream against api processes on the default timeouts: every slow path (cold token,
 * GET retried) answers 503 with Retry-After within the contract's 15 s (IAMPORT_CALL_DEADLINE_MS).
 */
import { jest } from '@jest/globals';
import { describeIf, processTestsUnavailable } from '../support/availability';
import { call, Deployment, type ApiAnswer } from '../support/cluster';
import { NO_RATE_LIMITS } from '../support/limits';
import { freshPhone } from '../support/people';
import { contractViolation } from '../support/contract';

jest.setTimeout(180_000);

const BUDGET_MS = 15_000;
const PERSON = { name: '박민준', birth: '19920315', gender_digit: '1', carrier: 'LGT' };

interface Case {
  name: string;
  endpoint: 'otpRequest' | 'otpConfirm' | 'popup';
  answer: ApiAnswer;
}

const deployments: Deployment[] = [];
let cases: Case[] = [];

async function pendingOtp(d: Deployment, url: string): Promise<string> {
  const requested = await call<{ imp_uid: string }>(url, 'POST', '/certifications/otp/request', { ...PERSON, phone: freshPhone() });
  if (requested.status !== 201) throw new Error(`setup: OTP request ${requested.status}`);
  return requested.body.imp_uid;
}

/** Cold token cache, upstream silent on every path. */
async function coldCases(): Promise<Case[]> {
  const d = await Deployment.create();
  deployments.push(d);
  const setup = await d.startApi(NO_RATE_LIMITS, 'setup');
  const impUid = await pendingOtp(d, setup.url);
  const [a, b, c] = await Promise.all([1, 2, 3].map((i) => d.startApi(NO_RATE_LIMITS, `cold-${i}`)));
  await d.fault({ path_prefix: '/', latency_ms: 120_000 });
  const [otpRequest, otpConfirm, popup] = await Promise.all([
    call(a.url, 'POST', '/certifications/otp/request', { ...PERSON, phone: freshPhone() }, { timeoutMs: 60_000 }),
    call(b.url, 'POST', `/certifications/otp/confirm/${impUid}`, { otp: '123456' }, { timeoutMs: 60_000 }),
    call(c.url, 'POST', '/certifications', { imp_uid: 'imp_000000000001' }, { timeoutMs: 60_000 }),
  ]);
  return [
    { name: 'OTP request, cold token', endpoint: 'otpRequest', answer: otpRequest },
    { name: 'OTP confirmation, cold token', endpoint: 'otpConfirm', answer: otpConfirm },
    { name: 'popup verification, cold token', endpoint: 'popup', answer: popup },
  ];
}

/** Warm token, only GET /certifications/:imp_uid silent (retried 3 times). */
async function warmCases(): Promise<Case[]> {
  const d = await Deployment.create();
  deployments.push(d);
  const api = await d.startApi(NO_RATE_LIMITS, 'warm');
  const impUid = await pendingOtp(d, api.url); // the token is cached now
  await d.fault({ path_prefix: '/certifications/', method: 'GET', latency_ms: 120_000 });
  const [popup, wrongOtp] = await Promise.all([
    call(api.url, 'POST', '/certifications', { imp_uid: impUid }, { timeoutMs: 60_000 }),
    call(api.url, 'POST', `/certifications/otp/confirm/${impUid}`, { otp: '000000' }, { timeoutMs: 60_000 }),
  ]);
  return [
    { name: 'popup verification, warm token, GET silent', endpoint: 'popup', answer: popup },
    { name: 'wrong OTP, warm token, GET silent', endpoint: 'otpConfirm', answer: wrongOtp },
  ];
}

describeIf('deadline', processTestsUnavailable())('a silent upstream, default timeout', () => {
  beforeAll(async () => {
    cases = (await Promise.all([coldCases(), warmCases()])).flat();
    process.stdout.write(
      `\n[resilience] silent upstream, default timeout:\n${cases.map((c) => `  ${c.name}: ${c.answer.status} in ${Math.round(c.answer.ms)} ms`).join('\n')}\n`,
    );
  });
  afterAll(async () => {
    await Promise.all(deployments.map((d) => d.close()));
  });

  it('answers 503 UPSTREAM_UNAVAILABLE with Retry-After, never a 500, within the current worst case (16 s)', () => {
    expect(cases).toHaveLength(5);
    for (const c of cases) {
      expect({ case: c.name, violation: contractViolation(c.endpoint, c.answer) }).toEqual({ case: c.name, violation: null });
      expect({ case: c.name, status: c.answer.status }).toEqual({ case: c.name, status: 503 });
      expect(c.answer.ms).toBeLessThan(16_000);
    }
  });

  // The contract's budget: see the file comment.
  it('answers within 15 s, retries and token fetch included', () => {
    for (const c of cases) expect({ case: c.name, withinBudget: c.answer.ms <= BUDGET_MS }).toEqual({ case: c.name, withinBudget: true });
  });
});
