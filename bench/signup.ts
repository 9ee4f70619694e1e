import { generateKeyMaterial } from '@app/pii';
import type { BenchOptions } from './lib/cli';
import { createDatabase } from './lib/database';
import { HttpClient } from './lib/http';
import { RssSampler } from './lib/processes';
import { startApi, startBaseline, type StartedServer } from './lib/servers';
import { runSignupLoad, type SignupLoadResult } from './lib/signup-load';
import { round } from './lib/stats';

export interface SandboxStats {
  calls: { getToken: number; requestOtp: number; confirmOtp: number; getCertification: number; deleteCertification: number };
  sms_sent: number;
}

export interface ContestantResult {
  name: 'api' | 'baseline';
  load: SignupLoadResult;
  upstream: {
    /** getToken calls over the whole phase (boot, warm-up and measured load). */
    getToken: number;
    /** Non-token upstream calls per completed signup during the measured load. */
    callsPerSignup: number;
    /** All upstream calls of the measured load (getToken included) per completed signup. */
    callsPerSignupWithToken: number;
    measured: SandboxStats['calls'];
  };
  peakRssMb: number;
  /** RSS when the measured load ended. */
  endRssMb: number;
}

export interface SignupBenchResult {
  upstreamLatencyMs: number;
  signups: number;
  warmup: number;
  concurrency: number;
  poolSize: number;
  api?: ContestantResult;
  baseline?: ContestantResult;
  /** api signups/s divided by the baseline's, both from this run. */
  ratio?: number;
}

/** Control requests to the sandbox (reset, faults, stats). */
export class SandboxControl {
  private readonly http: HttpClient;
  constructor(readonly url: string) {
    this.http = new HttpClient(url, 4);
  }
  async reset(latencyMs: number): Promise<void> {
    await this.http.request('POST', '/__sandbox/reset');
    if (latencyMs > 0) {
      const r = await this.http.request('POST', '/__sandbox/faults', { path_prefix: '/certifications', latency_ms: latencyMs });
      if (r.status !== 200) throw new Error(`sandbox refused the latency fault (${r.status})`);
    }
  }
  async stats(): Promise<SandboxStats> {
    const r = await this.http.request<SandboxStats>('GET', '/__sandbox/stats');
    return r.body;
  }
  close(): void {
    this.http.close();
  }
}

function diff(a: SandboxStats['calls'], b: SandboxStats['calls']): SandboxStats['calls'] {
  return {
    getToken: b.getToken - a.getToken,
    requestOtp: b.requestOtp - a.requestOtp,
    confirmOtp: b.confirmOtp - a.confirmOtp,
    getCertification: b.getCertification - a.getCertification,
    deleteCertification: b.deleteCertification - a.deleteCertification,
  };
}

async function runContestant(
  name: 'api' | 'baseline',
  o: BenchOptions,
  sandbox: SandboxControl,
  log: (s: string) => void,
): Promise<ContestantResult> {
  await sandbox.reset(o.upstreamLatencyMs);
  const db = await createDatabase(o.databaseUrl, name);
  const pii = generateKeyMaterial();
  let server: StartedServer | null = null;
  try {
    if (name === 'baseline') {
      // The same schema as the api's: boot the api once on that database (it runs its migrations).
      const migrate = await startApi({ databaseUrl: db.url, poolSize: 2, sandboxUrl: sandbox.url, pii });
      await migrate.stop();
      await sandbox.reset(o.upstreamLatencyMs);
      server = await startBaseline({ databaseUrl: db.url, poolSize: o.poolSize, sandboxUrl: sandbox.url, pii });
    } else {
      server = await startApi({ databaseUrl: db.url, poolSize: o.poolSize, sandboxUrl: sandbox.url, pii, cpuProfDir: o.cpuProf });
    }
    const rss = new RssSampler(server.child.pid).start();
    const base = { targetUrl: server.url, sandboxUrl: sandbox.url, concurrency: o.concurrency };
    if (o.warmup > 0) {
      log(`  ${name}: warm-up, ${o.warmup} signups`);
      const w = await runSignupLoad({ ...base, first: 0, count: o.warmup });
      if (w.failed > 0) log(`  ${name}: warm-up failures ${JSON.stringify(w.errors)}`);
    }
    const before = await sandbox.stats();
    rss.resetPeak();
    log(`  ${name}: measuring, ${o.signups} signups at concurrency ${o.concurrency}`);
    const load = await runSignupLoad({ ...base, first: o.warmup, count: o.signups });
    rss.sample();
    const endRss = rss.last;
    rss.stop();
    const after = await sandbox.stats();
    const measured = diff(before.calls, after.calls);
    const nonToken = measured.requestOtp + measured.confirmOtp + measured.getCertification + measured.deleteCertification;
    const per = (n: number) => (load.completed > 0 ? round(n / load.completed, 3) : NaN);
    if (load.failed > 0) log(`  ${name}: ${load.failed} failed flows ${JSON.stringify(load.errors)}`);
    log(`  ${name}: ${load.completed} signups in ${(load.elapsedMs / 1000).toFixed(1)} s = ${load.signupsPerSecond}/s`);
    return {
      name,
      load,
      upstream: {
        getToken: after.calls.getToken,
        callsPerSignup: per(nonToken),
        callsPerSignupWithToken: per(nonToken + measured.getToken),
        measured,
      },
      peakRssMb: round(rss.peak / 1048576, 1),
      endRssMb: round(endRss / 1048576, 1),
    };
  } finally {
    if (server) await server.stop();
    if (!o.keep) await db.drop().catch(() => undefined);
  }
}

export async function runSignupBench(o: BenchOptions, sandbox: SandboxControl, log: (s: string) => void): Promise<SignupBenchResult> {
  log(`signup flow: ${o.signups} signups (+${o.warmup} warm-up), concurrency ${o.concurrency}, upstream latency ${o.upstreamLatencyMs} ms, pool ${o.poolSize}`);
  const api = o.contestants.includes('api') ? await runContestant('api', o, sandbox, log) : undefined;
  const baseline = o.contestants.includes('baseline') ? await runContestant('baseline', o, sandbox, log) : undefined;
  return {
    upstreamLatencyMs: o.upstreamLatencyMs,
    signups: o.signups,
    warmup: o.warmup,
    concurrency: o.concurrency,
    poolSize: o.poolSize,
    api,
    baseline,
    ratio: api && baseline ? round(api.load.signupsPerSecond / baseline.load.signupsPerSecond, 3) : undefined,
  };
}
