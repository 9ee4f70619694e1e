/**
 * 200 signups through a real api process while the sandbox injects 5xx, late answers and dropped
 * connections on every upstream path: only contract answers, in time, and no half-written rows.
 */
import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { describeIf, processTestsUnavailable } from '../support/availability';
import { call, Deployment, type ApiAnswer, type ApiProcess } from '../support/cluster';
import { NO_RATE_LIMITS } from '../support/limits';
import { freshPhone } from '../support/people';
import { ENDPOINT_CONTRACT, contractViolation } from '../support/contract';

jest.setTimeout(300_000);

const SIGNUPS = 200;
const CONCURRENCY = 40;
const TIMEOUT_MS = 1000;
const STEP_TRIES = 8;

const SYLLABLES = '가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후';
function uniqueName(i: number): string {
  const a = SYLLABLES[i % SYLLABLES.length];
  const b = SYLLABLES[Math.floor(i / SYLLABLES.length) % SYLLABLES.length];
  return `김${a}${b}`;
}

type Endpoint = 'otpRequest' | 'otpConfirm' | 'popup' | 'signup' | 'redirect';
interface Logged {
  endpoint: Endpoint;
  answer: ApiAnswer;
}

let d: Deployment;
let api: ApiProcess;

describeIf('upstream faults', processTestsUnavailable())('signups under upstream faults', () => {
  beforeAll(async () => {
    d = await Deployment.create();
    api = await d.startApi({ ...NO_RATE_LIMITS, IAMPORT_TIMEOUT_MS: String(TIMEOUT_MS) });
  });
  afterAll(async () => {
    await d?.close();
  });

  it(`answers ${SIGNUPS} signups under upstream faults with contract codes only, in time, without half-written rows`, async () => {
    for (const rule of [
      { path_prefix: '/', status: 500, probability: 0.3 },
      { path_prefix: '/', status: 503, process_request: true, probability: 0.03 },
      { path_prefix: '/', latency_ms: TIMEOUT_MS + 500, probability: 0.1 },
      { path_prefix: '/', drop: true, probability: 0.05 },
      { path_prefix: '/', drop: true, process_request: true, probability: 0.05 },
    ]) {
      await d.fault(rule);
    }

    const log: Logged[] = [];
    const created = new Map<string, string>(); // user id -> name
    const otp201 = new Set<string>();
    const url = api.url;

    const step = async (endpoint: Endpoint, method: string, path: string, body: unknown, headers?: Record<string, string>): Promise<ApiAnswer> => {
      let answer!: ApiAnswer;
      for (let attempt = 1; attempt <= STEP_TRIES; attempt++) {
        answer = await call(url, method, path, body, { timeoutMs: 60_000, headers });
        log.push({ endpoint, answer });
        if (answer.status !== 502 && answer.status !== 503) return answer;
        // as a client would: honour Retry-After (the open breaker's remaining time), else a short pause
        const retryAfter = Number(answer.headers.get('retry-after') ?? 0);
        const reason = (answer.body as { error?: { details?: { reason?: string } } })?.error?.details?.reason;
        const wait = reason === 'circuit_open' ? Math.min(retryAfter, 3) * 1000 : 150 + Math.random() * 350;
        await new Promise((r) => setTimeout(r, wait));
      }
      return answer;
    };

    const popupPerson = async (form: Record<string, string>): Promise<string | null> => {
      // the person starts a flow (bound by the header secret), completes the popup upstream (control path, never
      // faulted), lands on the redirect, then asks for the token
      const flow = { 'x-certification-flow': randomBytes(32).toString('base64url') };
      const started = await call<{ merchant_uid: string }>(url, 'POST', '/certifications/window', undefined, { timeoutMs: 60_000, headers: flow });
      if (started.status !== 201) throw new Error(`window start: ${started.status}`);
      const made = await d!.sandboxCall<{ imp_uid: string }>('POST', '/__sandbox/certifications', { ...form, merchant_uid: started.body.merchant_uid });
      if (made.status !== 200) throw new Error(`sandbox popup: ${made.status}`);
      const impUid = made.body.imp_uid;
      const landing = await call(url, 'GET', `/certifications/redirect?imp_uid=${impUid}&success=true`, undefined, { timeoutMs: 60_000, headers: flow });
      log.push({ endpoint: 'redirect', answer: landing });
      const verified = await step('popup', 'POST', '/certifications', { imp_uid: impUid }, flow);
      return verified.status === 200 ? (verified.body as { verification_token: string }).verification_token : null;
    };

    const person = async (i: number): Promise<void> => {
      const phone = freshPhone();
      const form = { name: uniqueName(i), phone, birth: `19${String(50 + (i % 49)).padStart(2, '0')}0${1 + (i % 9)}1${i % 10}`, gender_digit: String(1 + (i % 2)), carrier: ['SKT', 'KT', 'LGT'][i % 3] };
      if (i % 4 === 3) {
        const token = await popupPerson(form);
        if (token === null) return;
        const signup = await step('signup', 'POST', '/users', { verification_token: token });
        if (signup.status === 201) created.set((signup.body as { id: string }).id, form.name);
        return;
      }
      const requested = await step('otpRequest', 'POST', '/certifications/otp/request', form);
      if (requested.status !== 201) return;
      const impUid = (requested.body as { imp_uid: string }).imp_uid;
      otp201.add(impUid);
      const otp = await d!.latestOtp(phone, impUid);
      const confirmed = await step('otpConfirm', 'POST', `/certifications/otp/confirm/${impUid}`, { otp });
      if (confirmed.status !== 200) return;
      const token = (confirmed.body as { verification_token: string }).verification_token;
      const signup = await step('signup', 'POST', '/users', { verification_token: token });
      if (signup.status === 201) created.set((signup.body as { id: string }).id, form.name);
    };

    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < SIGNUPS) await person(next++);
      }),
    );
    const elapsed = Date.now() - started;

    // ---- every answer: a contract code, in time
    const redirectViolation = (a: ApiAnswer): string | null => {
      if (a.status !== 302) return `redirect answered ${a.status}`;
      const location = new URL(a.headers.get('location') ?? '', 'http://x');
      const code = location.searchParams.get('error_code');
      return code === null || ENDPOINT_CONTRACT.popup.codes.includes(code) ? null : `redirect with error_code ${code}`;
    };
    const violations = log
      .map((l) => ({
        l,
        why:
          l.answer.status === 0
            ? `transport failure ${l.answer.error}`
            : l.endpoint === 'redirect'
              ? redirectViolation(l.answer)
              : contractViolation(l.endpoint, l.answer),
      }))
      .filter((v) => v.why !== null)
      .map((v) => `${v.l.endpoint}: ${v.why}`);
    expect(violations).toEqual([]);
    expect(log.filter((l) => l.answer.status >= 500 && l.answer.status !== 502 && l.answer.status !== 503)).toEqual([]);
    const slowest = Math.max(...log.map((l) => l.answer.ms));
    expect(slowest).toBeLessThan(15_000);

    // 502 keeps the upstream's answer in details
    const badGateway = log.filter((l) => l.answer.status === 502).map((l) => (l.answer.body as { error: { details?: Record<string, unknown> } }).error.details);
    for (const details of badGateway) {
      expect(details).toMatchObject({ upstream_status: expect.any(Number) });
    }
    const upstream5xx = badGateway.filter((x) => typeof x?.upstream_status === 'number' && (x.upstream_status as number) >= 500);
    expect(upstream5xx.length).toBeGreaterThan(0);
    for (const details of upstream5xx) expect(typeof details!.upstream_message).toBe('string');

    // the faults did bite, and some signups went through anyway
    const count = (status: number) => log.filter((l) => l.answer.status === status).length;
    expect(count(502) + count(503)).toBeGreaterThan(20);
    expect(created.size).toBeGreaterThan(20);

    // ---- the database
    await d.clearFaults();
    const users = await d.sql<{ id: string }>('SELECT id FROM users');
    expect(users.length).toBe(created.size);
    expect(new Set(users.map((u) => u.id))).toEqual(new Set(created.keys()));

    const rows = await d.sql<{ imp_uid: string }>(`SELECT imp_uid FROM certifications WHERE flow = 'otp'`);
    expect(rows.length).toBe(otp201.size);
    expect(new Set(rows.map((r) => r.imp_uid))).toEqual(otp201);
    // popup verifications are only recorded once certified upstream, never pending
    const [{ popupPending }] = await d.sql<{ popupPending: number }>(`SELECT count(*)::int AS "popupPending" FROM certifications WHERE flow = 'popup' AND status NOT IN ('verified', 'used')`);
    expect(popupPending).toBe(0);

    const [broken] = await d.sql<Record<string, number>>(`
      SELECT
        count(*) FILTER (WHERE status = 'pending' AND (name_enc IS NULL OR phone_enc IS NULL OR phone_bidx IS NULL OR birthday IS NULL OR otp_expires_at IS NULL))::int AS bad_pending,
        count(*) FILTER (WHERE status = 'verified' AND (ci_enc IS NULL OR ci_bidx IS NULL OR name_enc IS NULL OR birthday IS NULL OR certified_at IS NULL)
                           OR status = 'used' AND (certified_at IS NULL OR ci_enc IS NOT NULL OR name_enc IS NOT NULL))::int AS bad_verified,
        count(*) FILTER (WHERE status = 'used' AND (used_at IS NULL OR NOT EXISTS (SELECT 1 FROM users u WHERE u.certification_id = c.id)))::int AS used_without_user,
        count(*) FILTER (WHERE status <> 'used' AND EXISTS (SELECT 1 FROM users u WHERE u.certification_id = c.id))::int AS user_on_unused,
        count(*) FILTER (WHERE (SELECT count(*) FROM verification_tokens t WHERE t.certification_id = c.id) > 1)::int AS several_tokens,
        count(*) FILTER (WHERE status = 'used' AND (SELECT count(*) FROM verification_tokens t WHERE t.certification_id = c.id AND t.used_at IS NOT NULL) <> 1)::int AS used_token_mismatch
      FROM certifications c`);
    expect(broken).toEqual({ bad_pending: 0, bad_verified: 0, used_without_user: 0, user_on_unused: 0, several_tokens: 0, used_token_mismatch: 0 });

    const summary = log.reduce<Record<string, number>>((acc, l) => {
      const code = (l.answer.body as { error?: { code?: string } })?.error?.code;
      const reason = (l.answer.body as { error?: { details?: { reason?: string } } })?.error?.details?.reason;
      const key = `${l.endpoint} ${l.answer.status}${code ? ` ${code}` : ''}${reason ? ` ${reason}` : ''}`;
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
    process.stdout.write(
      `\n[resilience] ${SIGNUPS} signups under faults in ${(elapsed / 1000).toFixed(1)} s: ${created.size} accounts, ` +
        `${log.length} requests, slowest ${Math.round(slowest)} ms\n${JSON.stringify(summary, null, 1)}\n`,
    );
  });
});
