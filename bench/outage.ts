/**
 * `--only outage`: a sustained upstream outage (every upstream call answered 503 or its connection
 * dropped) under a steady request rate, then the upstream's return. Measures the api's answers
 * once its breaker is open (503 UPSTREAM_UNAVAILABLE with Retry-After, latency) and how soon
 * verifications and signups succeed again. See docs/performance.md, "Sustained outage".
 */
import { randomBytes } from 'node:crypto';
import { generateKeyMaterial } from '@app/pii';
import type { BenchOptions } from './lib/cli';
import { createDatabase } from './lib/database';
import { HttpClient, type HttpResult } from './lib/http';
import { person } from './lib/people';
import { startApi } from './lib/servers';
import { round, Samples, type LatencySummary } from './lib/stats';

/** The breaker opens at once; for its first 10 s (its sampling window) retried calls wait for its probes, then it is a sustained outage. */
const SETTLE_MS = 12_000;
const RECOVERY_WINDOW_MS = 5000;
const WARM_MS = 2000;

type Kind = 'window' | 'otp';

interface Answer {
  kind: Kind;
  /** ms since the outage began (negative: before it) */
  sentAt: number;
  status: number;
  code: string | null;
  reason: string | null;
  retryAfter: string | null;
  ms: number;
  /** the signup that followed a completed window verification */
  signupAt?: number;
  signupStatus?: number;
}

export interface OutageReport {
  outageSeconds: number;
  ratePerSecond: number;
  faults: string;
  /** Requests sent before the breaker settled (the first SETTLE_MS of the outage). */
  onset: { requests: number; statuses: Record<string, number>; latency: LatencySummary };
  /** Requests sent from SETTLE_MS into the outage to its end. */
  open: {
    requests: number;
    statuses: Record<string, number>;
    unavailable503: number;
    non503: number;
    withoutRetryAfter: number;
    latency: LatencySummary;
    latencyByKind: Record<Kind, LatencySummary>;
  };
  recovery: {
    /** ms from the upstream's return to the first completed window verification (200). */
    firstVerificationMs: number | null;
    /** ... to the first signup answered 201 (after a verification completed then). */
    firstSignupMs: number | null;
    /** ... to the first OTP request answered 201. */
    firstOtpRequestMs: number | null;
    /** Share of the requests sent in the first 5 s after the return that succeeded. */
    successRateFirst5s: number;
    requestsFirst5s: number;
  };
}

/** Upstream control (never faulted itself). */
class Sandbox {
  private readonly http: HttpClient;
  constructor(url: string) {
    this.http = new HttpClient(url, 8);
  }
  async post<T>(path: string, body?: unknown): Promise<T> {
    const r = await this.http.request<T>('POST', path, body);
    if (r.status !== 200) throw new Error(`sandbox ${path} answered ${r.status}`);
    return r.body;
  }
  async clearFaults(): Promise<void> {
    await this.http.request('DELETE', '/__sandbox/faults');
  }
  close(): void {
    this.http.close();
  }
}

interface PreparedWindow {
  flow: Record<string, string>;
  impUid: string;
}

const errorOf = (r: HttpResult): { code: string | null; reason: string | null } => {
  const error = (r.body as { error?: { code?: string; details?: { reason?: string } } } | null)?.error;
  return { code: error?.code ?? null, reason: error?.details?.reason ?? null };
};

export async function runOutageBench(o: BenchOptions, sandboxUrl: string, log: (s: string) => void): Promise<OutageReport> {
  const rate = o.quick ? 40 : 80;
  const outageMs = o.outageSeconds * 1000;
  const sandbox = new Sandbox(sandboxUrl);
  const db = await createDatabase(o.databaseUrl, 'outage');
  const keys = generateKeyMaterial();
  const api = await startApi({
    databaseUrl: db.url,
    poolSize: o.poolSize,
    sandboxUrl,
    pii: keys,
    main: o.apiMain,
    extraEnv: { WINDOW_START_LIMIT_PER_IP: '100000', OTP_SEND_LIMIT_PER_PHONE: '1000' },
  });
  const http = new HttpClient(api.url, 512);
  try {
    await sandbox.post('/__sandbox/reset');
    // Window verifications certified upstream beforehand (control paths are never faulted); one is
    // used up only by a completion that succeeds, so the outage reuses them.
    const needed = Math.ceil((rate / 2) * ((WARM_MS + RECOVERY_WINDOW_MS * 2) / 1000)) + 50;
    log(`outage: preparing ${needed} window verifications`);
    const windows: PreparedWindow[] = [];
    for (let i = 0; i < needed; i++) {
      const flow = { 'x-certification-flow': randomBytes(32).toString('base64url') };
      const started = await http.request<{ merchant_uid: string }>('POST', '/certifications/window', undefined, flow);
      if (started.status !== 201) throw new Error(`window start answered ${started.status}`);
      const p = person(900_000 + i);
      const made = await sandbox.post<{ imp_uid: string }>('/__sandbox/certifications', {
        name: p.name, phone: p.phone, birth: p.birth, gender_digit: String(p.gender_digit), carrier: p.carrier, merchant_uid: started.body.merchant_uid,
      });
      windows.push({ flow, impUid: made.imp_uid });
    }

    const answers: Answer[] = [];
    let t0 = performance.now() + WARM_MS; // the outage's start, fixed when it begins
    let nextWindow = 0;
    let nextPerson = 0;
    const pending = new Set<Promise<void>>();

    const send = (kind: Kind): void => {
      const sentAt = performance.now() - t0;
      const job = (async () => {
        let r: HttpResult;
        let taken: PreparedWindow | undefined;
        try {
          if (kind === 'window') {
            if (windows.length === 0) return;
            taken = windows[nextWindow++ % windows.length];
            r = await http.request('POST', '/certifications', { imp_uid: taken.impUid }, taken.flow, 60_000);
          } else {
            const p = person(nextPerson++);
            r = await http.request('POST', '/certifications/otp/request', p, {}, 60_000);
          }
        } catch (e) {
          answers.push({ kind, sentAt, status: 0, code: (e as Error).message, reason: null, retryAfter: null, ms: performance.now() - t0 - sentAt });
          return;
        }
        const answer: Answer = { kind, sentAt, status: r.status, ...errorOf(r), retryAfter: r.headers['retry-after'] ?? null, ms: r.ms };
        answers.push(answer);
        if (kind === 'window' && r.status === 200 && taken) {
          const i = windows.indexOf(taken);
          if (i >= 0) windows.splice(i, 1);
          const token = (r.body as { verification_token: string }).verification_token;
          const signup = await http.request('POST', '/users', { verification_token: token }, {}, 60_000).catch(() => null);
          answer.signupAt = performance.now() - t0;
          answer.signupStatus = signup?.status ?? 0;
        }
      })();
      pending.add(job);
      void job.finally(() => pending.delete(job));
    };

    // open-loop load: `rate` requests a second, alternating window completions and OTP requests
    const drive = async (untilMs: number): Promise<void> => {
      const interval = 1000 / rate;
      let k = 0;
      const start = performance.now();
      while (performance.now() - t0 < untilMs) {
        send(k % 2 === 0 ? 'window' : 'otp');
        k++;
        const wait = start + k * interval - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    };

    log(`outage: warm load for ${WARM_MS / 1000} s at ${rate} requests/s`);
    t0 = performance.now() + WARM_MS;
    await drive(0);
    // every upstream call fails: a third of the connections dropped, the rest answered 503
    await sandbox.post('/__sandbox/faults', { path_prefix: '/', drop: true, probability: 0.3 });
    await sandbox.post('/__sandbox/faults', { path_prefix: '/', status: 503 });
    t0 = performance.now();
    log(`outage: every upstream call fails for ${o.outageSeconds} s`);
    await drive(outageMs);
    await sandbox.clearFaults();
    const returnedAt = performance.now() - t0;
    log('outage: upstream back; measuring the recovery');
    await drive(returnedAt + RECOVERY_WINDOW_MS * 2);
    await Promise.all([...pending]);

    const onset = answers.filter((a) => a.sentAt >= 0 && a.sentAt < SETTLE_MS);
    const open = answers.filter((a) => a.sentAt >= SETTLE_MS && a.sentAt < outageMs);
    const latency = (list: Answer[]) => {
      const s = new Samples();
      for (const a of list) s.add(a.ms);
      return s.summary();
    };
    const statuses = (list: Answer[]) =>
      list.reduce<Record<string, number>>((acc, a) => {
        const key = [a.status, a.code, a.reason].filter((x) => x !== null).join(' ');
        acc[key] = (acc[key] ?? 0) + 1;
        return acc;
      }, {});
    const is503 = (a: Answer) => a.status === 503 && a.code === 'UPSTREAM_UNAVAILABLE';
    const after = answers.filter((a) => a.sentAt >= returnedAt);
    const firstMs = (list: number[]) => (list.length === 0 ? null : round(Math.min(...list) - returnedAt, 0));
    const ok = (a: Answer) => (a.kind === 'window' ? a.status === 200 : a.status === 201);
    const first5s = after.filter((a) => a.sentAt < returnedAt + RECOVERY_WINDOW_MS);
    return {
      outageSeconds: o.outageSeconds,
      ratePerSecond: rate,
      faults: 'every upstream path: 30% of the connections dropped, the others answered 503',
      onset: { requests: onset.length, statuses: statuses(onset), latency: latency(onset) },
      open: {
        requests: open.length,
        statuses: statuses(open),
        unavailable503: open.filter(is503).length,
        non503: open.filter((a) => !is503(a)).length,
        withoutRetryAfter: open.filter((a) => is503(a) && !/^[1-9]\d*$/.test(a.retryAfter ?? '')).length,
        latency: latency(open),
        latencyByKind: { window: latency(open.filter((a) => a.kind === 'window')), otp: latency(open.filter((a) => a.kind === 'otp')) },
      },
      recovery: {
        firstVerificationMs: firstMs(after.filter((a) => a.kind === 'window' && a.status === 200).map((a) => a.sentAt + a.ms)),
        firstSignupMs: firstMs(after.filter((a) => a.signupStatus === 201).map((a) => a.signupAt!)),
        firstOtpRequestMs: firstMs(after.filter((a) => a.kind === 'otp' && a.status === 201).map((a) => a.sentAt + a.ms)),
        successRateFirst5s: first5s.length === 0 ? 0 : round(first5s.filter(ok).length / first5s.length, 3),
        requestsFirst5s: first5s.length,
      },
    };
  } finally {
    http.close();
    sandbox.close();
    await sandbox.clearFaults().catch(() => undefined);
    await api.stop();
    if (!o.keep) await db.drop();
  }
}

/** The outage figures as markdown (printed after the report's own tables). */
export function outageMarkdown(r: OutageReport): string {
  const l = r.open.latency;
  const rec = r.recovery;
  const ms = (n: number | null) => (n === null ? 'none' : `${n} ms`);
  return [
    `### Sustained outage (${r.outageSeconds} s, ${r.ratePerSecond} requests/s, ${r.faults})`,
    '',
    '| measure | value | target |',
    '|---|---|---|',
    `| answers once the breaker is open (sent ${SETTLE_MS / 1000} s into the outage and later) | ${r.open.requests}: ${r.open.unavailable503} 503 UPSTREAM_UNAVAILABLE, ${r.open.non503} other, ${r.open.withoutRetryAfter} without Retry-After | all 503 with Retry-After |`,
    `| latency of those answers p50 / p95 / p99 / max | ${l.p50} / ${l.p95} / ${l.p99} / ${l.max} ms | p99 < 50 ms |`,
    `| p99 window completions / OTP requests | ${r.open.latencyByKind.window.p99} / ${r.open.latencyByKind.otp.p99} ms | |`,
    `| onset (first ${SETTLE_MS / 1000} s): answers, p50 / p99 | ${r.onset.requests}, ${r.onset.latency.p50} / ${r.onset.latency.p99} ms | |`,
    `| upstream back: first verification / signup / OTP request | ${ms(rec.firstVerificationMs)} / ${ms(rec.firstSignupMs)} / ${ms(rec.firstOtpRequestMs)} | < 5000 ms |`,
    `| success rate of the requests sent in the first 5 s after | ${Math.round(rec.successRateFirst5s * 1000) / 10}% of ${rec.requestsFirst5s} | |`,
  ].join('\n');
}
