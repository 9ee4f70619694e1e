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
  /** Stop early (counted as failure) when this many flows failed. */
  maxFailures?: number;
}

export interface SignupLoadResult {
  attempted: number;
  completed: number;
  failed: number;
  elapsedMs: number;
  signupsPerSecond: number;
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

/**
 * Drives `count` people through OTP request -> (sandbox inbox) -> confirm -> signup, with
 * `concurrency` virtual users in flight, each taking the next person when done.
 */
export async function runSignupLoad(o: SignupLoadOptions): Promise<SignupLoadResult> {
  const target = new HttpClient(o.targetUrl, o.concurrency);
  const sandbox = new HttpClient(o.sandboxUrl, o.concurrency);
  const s = { request: new Samples(), inbox: new Samples(), confirm: new Samples(), signup: new Samples(), flow: new Samples() };
  const errors: Record<string, number> = {};
  let next = 0;
  let completed = 0;
  let failed = 0;
  const maxFailures = o.maxFailures ?? Math.max(20, Math.ceil(o.count * 0.05));

  const flow = async (i: number): Promise<void> => {
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

    const signup = await target.request<{ id?: string }>('POST', '/users', { verification_token: confirm.body.verification_token });
    if (signup.status !== 201 || typeof signup.body.id !== 'string') throw new FlowError(`signup ${signup.status} ${errorCode(signup.body)}`);
    s.signup.add(signup.ms);
    s.flow.add(nowMs() - started);
  };

  const worker = async (): Promise<void> => {
    while (next < o.count && failed < maxFailures) {
      const i = o.first + next++;
      try {
        await flow(i);
        completed++;
      } catch (e) {
        failed++;
        const key = e instanceof FlowError ? e.key : `network ${(e as Error).message.slice(0, 80)}`;
        errors[key] = (errors[key] ?? 0) + 1;
      }
    }
  };

  const started = nowMs();
  await Promise.all(Array.from({ length: Math.min(o.concurrency, o.count) }, () => worker()));
  const elapsedMs = nowMs() - started;
  target.close();
  sandbox.close();
  return {
    attempted: completed + failed,
    completed,
    failed,
    elapsedMs: round(elapsedMs, 0),
    signupsPerSecond: round((completed / elapsedMs) * 1000, 1),
    steps: {
      request: s.request.summary(),
      inbox: s.inbox.summary(),
      confirm: s.confirm.summary(),
      signup: s.signup.summary(),
      flow: s.flow.summary(),
    },
    errors,
  };
}
