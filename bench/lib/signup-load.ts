import { randomBytes } from 'node:crypto';
import { HttpClient } from './http';
import { person } from './people';
import { Samples, nowMs, round, type LatencySummary } from './stats';

export interface SignupLoadOptions {
  /** Base URL of the server under test (the api or the baseline). */
  targetUrl: string;
  sandboxUrl: string;
  /** Person indices [first, first + count). */
  first: number;
  count: number;
  concurrency: number;
  /**
   * otp (default): OTP request -> inbox -> confirm -> signup. window: the browser flow without a
   * browser: window start -> the person certifies in the sandbox's window -> completion -> signup.
   */
  flow?: SignupFlow;
  /** The api's provider: which sandbox window the person certifies in (V1 or V2). Default iamport. */
  provider?: 'iamport' | 'portone';
  /** Stop early (counted as failure) when this many flows failed. */
  maxFailures?: number;
}

export type SignupFlow = 'otp' | 'window';

export interface SignupLoadResult {
  attempted: number;
  completed: number;
  failed: number;
  elapsedMs: number;
  signupsPerSecond: number;
  /**
   * One key per step whatever the flow: on the window flow `request` is the window start, `inbox`
   * the sandbox's certification (the person in the window), `confirm` the completion (POST /certifications).
   */
  steps: { request: LatencySummary; inbox: LatencySummary; confirm: LatencySummary; signup: LatencySummary; flow: LatencySummary };
  /** "step status code" -> count, e.g. "confirm 500 INTERNAL_ERROR": 3 */
  errors: Record<string, number>;
}

class FlowError extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

function errorCode(body: unknown): string {
  if (body && typeof body === 'object' && 'error' in body) {
    const e = (body as { error?: { code?: unknown } }).error;
    if (e && typeof e.code === 'string') return e.code;
  }
  return typeof body === 'string' ? body.slice(0, 60) : '';
}

/** Samples, counts and errors of one or more load segments against one server. */
export class SignupLoadTotals {
  readonly s = { request: new Samples(), inbox: new Samples(), confirm: new Samples(), signup: new Samples(), flow: new Samples() };
  readonly errors: Record<string, number> = {};
  completed = 0;
  failed = 0;
  elapsedMs = 0;

  result(): SignupLoadResult {
    const s = this.s;
    return {
      attempted: this.completed + this.failed,
      completed: this.completed,
      failed: this.failed,
      elapsedMs: round(this.elapsedMs, 0),
      signupsPerSecond: this.elapsedMs > 0 ? round((this.completed / this.elapsedMs) * 1000, 1) : 0,
      steps: {
        request: s.request.summary(),
        inbox: s.inbox.summary(),
        confirm: s.confirm.summary(),
        signup: s.signup.summary(),
        flow: s.flow.summary(),
      },
      errors: { ...this.errors },
    };
  }
}

/**
 * Drives `count` people through OTP request -> (sandbox inbox) -> confirm -> signup (one contract
 * for both providers: on PortOne V2 the same endpoints, the inbox keyed by the V2 id), with
 * `concurrency` virtual users in flight, each taking the next person when done. Adds to
 * `totals` when given (several segments against one server), and answers this segment alone.
 */
export async function runSignupLoad(o: SignupLoadOptions, totals?: SignupLoadTotals): Promise<SignupLoadResult> {
  const target = new HttpClient(o.targetUrl, o.concurrency);
  const sandbox = new HttpClient(o.sandboxUrl, o.concurrency);
  const seg = new SignupLoadTotals();
  const s = seg.s;
  const errors = seg.errors;
  let next = 0;
  const maxFailures = o.maxFailures ?? Math.max(20, Math.ceil(o.count * 0.05));
  const otpFlow = async (i: number): Promise<void> => {
    const p = person(i);
    const started = nowMs();
    const req = await target.request<{ imp_uid?: string }>('POST', '/certifications/otp/request', {
      name: p.name,
      phone: p.phone,
      birth: p.birth,
      gender_digit: p.gender_digit,
      carrier: p.carrier,
    });
    if (req.status !== 201 || typeof req.body.imp_uid !== 'string') throw new FlowError(`request ${req.status} ${errorCode(req.body)}`);
    s.request.add(req.ms);
    const impUid = req.body.imp_uid;

    const inbox = await sandbox.request<{ messages: { imp_uid: string; otp: string }[] }>(
      'GET',
      `/__sandbox/inbox?phone=${p.phone}`,
    );
    const otp = inbox.status === 200 ? inbox.body.messages.find((m) => m.imp_uid === impUid)?.otp : undefined;
    if (!otp) throw new FlowError(`inbox ${inbox.status} no OTP`);
    s.inbox.add(inbox.ms);

    const confirm = await target.request<{ verification_token?: string }>('POST', `/certifications/otp/confirm/${impUid}`, { otp });
    if (confirm.status !== 200 || typeof confirm.body.verification_token !== 'string') {
      throw new FlowError(`confirm ${confirm.status} ${errorCode(confirm.body)}`);
    }
    s.confirm.add(confirm.ms);

    await signup(confirm.body.verification_token, started);
  };

  const signup = async (token: string, started: number): Promise<void> => {
    const done = await target.request<{ id?: string }>('POST', '/users', { verification_token: token });
    if (done.status !== 201 || typeof done.body.id !== 'string') throw new FlowError(`signup ${done.status} ${errorCode(done.body)}`);
    s.signup.add(done.ms);
    s.flow.add(nowMs() - started);
  };

  // A client without cookies: its own secret in the header on the start and on the completion.
  const windowFlow = async (i: number): Promise<void> => {
    const p = person(i);
    const started = nowMs();
    const secret = { 'x-certification-flow': randomBytes(32).toString('base64url') };
    const start = await target.request<{ merchant_uid?: string; imp_uid?: string }>('POST', '/certifications/window', undefined, secret);
    if (start.status !== 201 || typeof start.body.merchant_uid !== 'string') throw new FlowError(`start ${start.status} ${errorCode(start.body)}`);
    s.request.add(start.ms);

    const who = { name: p.name, phone: p.phone, birth: p.birth, gender_digit: String(p.gender_digit), carrier: p.carrier };
    // The person completes the window: V1 names the flow by merchant_uid, V2 by the id the api chose.
    const made = v2
      ? await sandbox.request<Record<string, unknown>>('POST', '/__sandbox/v2/identity-verifications', { ...who, identity_verification_id: start.body.imp_uid })
      : await sandbox.request<Record<string, unknown>>('POST', '/__sandbox/certifications', { ...who, merchant_uid: start.body.merchant_uid });
    const impUid = made.status === 200 ? made.body[v2 ? 'identity_verification_id' : 'imp_uid'] : undefined;
    if (typeof impUid !== 'string') throw new FlowError(`certify ${made.status} ${errorCode(made.body)}`);
    s.inbox.add(made.ms);

    const done = await target.request<{ verification_token?: string }>('POST', '/certifications', { imp_uid: impUid }, secret);
    if (done.status !== 200 || typeof done.body.verification_token !== 'string') throw new FlowError(`complete ${done.status} ${errorCode(done.body)}`);
    s.confirm.add(done.ms);
    await signup(done.body.verification_token, started);
  };
  const v2 = o.provider === 'portone';
  const flow = o.flow === 'window' ? windowFlow : otpFlow;

  const worker = async (): Promise<void> => {
    while (next < o.count && seg.failed < maxFailures) {
      const i = o.first + next++;
      try {
        await flow(i);
        seg.completed++;
      } catch (e) {
        seg.failed++;
        const key = e instanceof FlowError ? e.key : `network ${(e as Error).message.slice(0, 80)}`;
        errors[key] = (errors[key] ?? 0) + 1;
      }
    }
  };

  const started = nowMs();
  await Promise.all(Array.from({ length: Math.min(o.concurrency, o.count) }, () => worker()));
  seg.elapsedMs = nowMs() - started;
  target.close();
  sandbox.close();
  if (totals) {
    for (const k of Object.keys(s) as (keyof typeof s)[]) totals.s[k].merge(s[k]);
    for (const [k, v] of Object.entries(errors)) totals.errors[k] = (totals.errors[k] ?? 0) + v;
    totals.completed += seg.completed;
    totals.failed += seg.failed;
    totals.elapsedMs += seg.elapsedMs;
  }
  return seg.result();
}
