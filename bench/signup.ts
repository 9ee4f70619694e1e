import { generateKeyMaterial } from '@app/pii';
import type { BenchOptions, BenchProvider } from './lib/cli';
import { createDatabase, type BenchDatabase } from './lib/database';
import { HttpClient } from './lib/http';
import { cpuMs, postgresCpuMs, RssSampler } from './lib/processes';
import { startApi, startBaseline, type StartedServer } from './lib/servers';
import { runSignupLoad, SignupLoadTotals, type SignupFlow, type SignupLoadResult } from './lib/signup-load';
import { round } from './lib/stats';

export interface SandboxCalls {
  getToken: number;
  requestOtp: number;
  confirmOtp: number;
  getCertification: number;
  deleteCertification: number;
}

export interface SandboxStats {
  calls: SandboxCalls;
  sms_sent: number;
  /** Every call of the V2 API (PortOne). */
  v2_calls: number;
}

export type ContestantName = 'api' | 'baseline' | 'candidate';

export interface ContestantResult {
  name: ContestantName;
  load: SignupLoadResult;
  upstream: {
    /** getToken calls over the whole run of this server (warm-up and measured load). */
    getToken: number;
    /** Non-token upstream calls per completed signup during the measured load (V1, or V2 on --provider portone). */
    callsPerSignup: number;
    /** Every upstream call of the measured load (getToken included) per completed signup. */
    callsPerSignupWithToken: number;
    measured: SandboxCalls;
  };
  peakRssMb: number;
  /** RSS when the measured load ended. */
  endRssMb: number;
  /**
   * CPU ms per completed signup during the measured load: the server process, the local
   * PostgreSQL processes (null when not visible), and the bench process (load generator and
   * sandbox). Where the load saturates the CPUs, throughput follows their sum.
   */
  cpuMsPerSignup: { server: number; postgres: number | null; bench: number };
}

/** One signup run: a flow on a provider. */
export interface SignupRun {
  flow: SignupFlow;
  provider: BenchProvider;
}

export interface SignupBenchResult {
  /** otp, or window (the browser flow, its window completed in the sandbox). */
  flow: SignupFlow;
  /** The identity provider of the api and the baseline: `iamport` (V1) or `portone` (V2). */
  provider: BenchProvider;
  upstreamLatencyMs: number;
  signups: number;
  warmup: number;
  concurrency: number;
  poolSize: number;
  rounds: number;
  api?: ContestantResult;
  baseline?: ContestantResult;
  /** --candidate-main: another api build, and its signups/s over the api's. */
  candidate?: ContestantResult;
  candidateVsApi?: number;
  /** api signups/s divided by the baseline's, both from this run. */
  ratio?: number;
  /** The ratio of each round (api segment / baseline segment of the same round). */
  roundRatios?: number[];
  /** Server CPU ms per signup of each round, api over baseline. */
  roundCpuRatios?: number[];
}

/** Control requests to the sandbox (reset, faults, stats). */
export class SandboxControl {
  private readonly http: HttpClient;
  constructor(readonly url: string) {
    this.http = new HttpClient(url, 4);
  }
  async reset(latencyMs: number): Promise<void> {
    await this.http.request('POST', '/__sandbox/reset');
    // The same latency on the V1 and the V2 paths (--provider portone).
    for (const prefix of latencyMs > 0 ? ['/certifications', '/identity-verifications'] : []) {
      const r = await this.http.request('POST', '/__sandbox/faults', { path_prefix: prefix, latency_ms: latencyMs });
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

const CALLS: (keyof SandboxCalls)[] = ['getToken', 'requestOtp', 'confirmOtp', 'getCertification', 'deleteCertification'];
const zeroCalls = (): SandboxCalls => ({ getToken: 0, requestOtp: 0, confirmOtp: 0, getCertification: 0, deleteCertification: 0 });

/** One server under load, with what is attributed to it across segments. */
class Contestant {
  readonly totals = new SignupLoadTotals();
  readonly measuredCalls = zeroCalls();
  /** Calls of the V2 API during the measured load (--provider portone; the secret needs no token call). */
  measuredV2Calls = 0;
  getTokenAll = 0;
  cpu = { server: 0, postgres: 0 as number | null, bench: 0 };
  rss: RssSampler;
  nextPerson = 0;

  constructor(readonly name: ContestantName, readonly server: StartedServer, readonly db: BenchDatabase) {
    this.rss = new RssSampler(server.child.pid).start();
  }

  /** One load segment of `count` people, its upstream calls attributed here (stats are global). */
  async segment(
    o: BenchOptions,
    run: SignupRun,
    sandbox: SandboxControl,
    count: number,
    measured: boolean,
  ): Promise<SignupLoadResult & { serverCpuMsPerSignup: number }> {
    const before = await sandbox.stats();
    const cpu0 = { server: cpuMs(this.server.child.pid) ?? NaN, postgres: postgresCpuMs(), bench: process.cpuUsage() };
    const first = this.nextPerson;
    this.nextPerson += count;
    const result = await runSignupLoad(
      { targetUrl: this.server.url, sandboxUrl: sandbox.url, concurrency: o.concurrency, first, count, flow: run.flow, provider: run.provider },
      measured ? this.totals : undefined,
    );
    const after = await sandbox.stats();
    this.rss.sample();
    for (const k of CALLS) {
      const d = after.calls[k] - before.calls[k];
      if (k === 'getToken') this.getTokenAll += d;
      if (measured) this.measuredCalls[k] += d;
    }
    if (measured) this.measuredV2Calls += (after.v2_calls ?? 0) - (before.v2_calls ?? 0);
    let serverMs = NaN;
    if (measured) {
      const benchUsage = process.cpuUsage(cpu0.bench);
      serverMs = (cpuMs(this.server.child.pid) ?? NaN) - cpu0.server;
      this.cpu.server += serverMs;
      const pg = postgresCpuMs();
      this.cpu.postgres = pg !== null && cpu0.postgres !== null && this.cpu.postgres !== null ? this.cpu.postgres + pg - cpu0.postgres : null;
      this.cpu.bench += (benchUsage.user + benchUsage.system) / 1000;
    }
    return { ...result, serverCpuMsPerSignup: result.completed > 0 ? serverMs / result.completed : NaN };
  }

  result(): ContestantResult {
    const load = this.totals.result();
    const per = (n: number) => (load.completed > 0 ? round(n / load.completed, 3) : NaN);
    const m = this.measuredCalls;
    const nonToken = m.requestOtp + m.confirmOtp + m.getCertification + m.deleteCertification + this.measuredV2Calls;
    return {
      name: this.name,
      load,
      upstream: {
        getToken: this.getTokenAll,
        callsPerSignup: per(nonToken),
        callsPerSignupWithToken: per(nonToken + m.getToken),
        measured: { ...m },
      },
      peakRssMb: round(this.rss.peak / 1048576, 1),
      endRssMb: round(this.rss.last / 1048576, 1),
      cpuMsPerSignup: {
        server: per(this.cpu.server),
        postgres: this.cpu.postgres === null ? null : per(this.cpu.postgres),
        bench: per(this.cpu.bench),
      },
    };
  }
}

/**
 * The api and the baseline take turns under load in `rounds` segments (order flipped each round),
 * so a change in the machine's background load hits both alike.
 */
export async function runSignupBench(o: BenchOptions, run: SignupRun, sandbox: SandboxControl, log: (s: string) => void): Promise<SignupBenchResult> {
  const names: ContestantName[] = [...o.contestants, ...(o.candidateMain !== null ? (['candidate'] as const) : [])];
  const rounds = Math.max(1, Math.min(o.rounds, o.signups));
  log(
    `signup, ${run.flow} flow (${run.provider === 'portone' ? 'PortOne V2' : "i'mport V1"}): ${o.signups} signups each (+${o.warmup} warm-up) in ${rounds} alternating rounds, concurrency ${o.concurrency}, ` +
      `upstream latency ${o.upstreamLatencyMs} ms, pool ${o.poolSize}`,
  );
  await sandbox.reset(o.upstreamLatencyMs);
  const contestants: Contestant[] = [];
  const dbs: BenchDatabase[] = [];
  try {
    for (const name of names) {
      const db = await createDatabase(o.databaseUrl, name);
      dbs.push(db);
      const pii = generateKeyMaterial();
      let server: StartedServer;
      if (name === 'baseline') {
        // The same schema as the api's: boot the api once on that database (it runs its migrations).
        const migrate = await startApi({ databaseUrl: db.url, poolSize: 2, sandboxUrl: sandbox.url, pii, main: o.apiMain });
        await migrate.stop();
        server = await startBaseline({ databaseUrl: db.url, poolSize: o.poolSize, sandboxUrl: sandbox.url, pii, cpuProfDir: o.cpuProf, provider: run.provider });
      } else {
        const candidate = name === 'candidate';
        const main = candidate ? o.candidateMain || o.apiMain : o.apiMain;
        const nodeOptions = candidate && o.candidateNodeOptions !== null ? o.candidateNodeOptions : o.apiNodeOptions;
        server = await startApi({ databaseUrl: db.url, poolSize: o.poolSize, sandboxUrl: sandbox.url, pii, cpuProfDir: o.cpuProf, main, nodeOptions, provider: run.provider });
      }
      contestants.push(new Contestant(name, server, db));
    }
    for (const c of contestants) {
      if (o.warmup <= 0) continue;
      log(`  ${c.name}: warm-up, ${o.warmup} signups`);
      const w = await c.segment(o, run, sandbox, o.warmup, false);
      if (w.failed > 0) log(`  ${c.name}: warm-up failures ${JSON.stringify(w.errors)}`);
    }
    for (const c of contestants) c.rss.resetPeak();
    const roundRatios: number[] = [];
    const roundCpuRatios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const count = Math.floor(o.signups / rounds) + (r < o.signups % rounds ? 1 : 0);
      const order = r % 2 === 0 ? contestants : [...contestants].reverse();
      const rates: Record<string, number> = {};
      const cpus: Record<string, number> = {};
      for (const c of order) {
        const seg = await c.segment(o, run, sandbox, count, true);
        rates[c.name] = seg.signupsPerSecond;
        cpus[c.name] = seg.serverCpuMsPerSignup;
        const fails = seg.failed > 0 ? `, ${seg.failed} failed ${JSON.stringify(seg.errors)}` : '';
        log(`  round ${r + 1}/${rounds} ${c.name}: ${seg.completed} signups in ${(seg.elapsedMs / 1000).toFixed(1)} s = ${seg.signupsPerSecond}/s${fails}`);
      }
      if (rates.api !== undefined && rates.baseline) roundRatios.push(round(rates.api / rates.baseline, 3));
      if (cpus.api !== undefined && cpus.baseline) roundCpuRatios.push(round(cpus.api / cpus.baseline, 3));
    }
    const results = Object.fromEntries(contestants.map((c) => [c.name, c.result()])) as Partial<Record<ContestantName, ContestantResult>>;
    const { api, baseline, candidate } = results;
    return {
      flow: run.flow,
      provider: run.provider,
      upstreamLatencyMs: o.upstreamLatencyMs,
      signups: o.signups,
      warmup: o.warmup,
      concurrency: o.concurrency,
      poolSize: o.poolSize,
      rounds,
      api,
      baseline,
      ratio: api && baseline ? round(api.load.signupsPerSecond / baseline.load.signupsPerSecond, 3) : undefined,
      roundRatios: api && baseline ? roundRatios : undefined,
      roundCpuRatios: api && baseline ? roundCpuRatios : undefined,
      candidate,
      candidateVsApi: api && candidate ? round(candidate.load.signupsPerSecond / api.load.signupsPerSecond, 3) : undefined,
    };
  } finally {
    for (const c of contestants) {
      c.rss.stop();
      await c.server.stop();
    }
    if (!o.keep) for (const db of dbs) await db.drop().catch(() => undefined);
  }
}
