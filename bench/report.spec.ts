import type { AdminBenchResult, AdminRowsResult } from './admin';
import { ADMIN_API_QUERIES, ADMIN_PLANS, ADMIN_SQL_QUERIES } from './lib/admin-queries';
import type { PgliteBenchResult } from './pglite';
import { markdown, REPORT_SCHEMA_VERSION, targets, toJson, type BenchReport } from './report';
import type { ContestantName, ContestantResult, SignupBenchResult } from './signup';
import type { SignupLoadResult } from './lib/signup-load';
import type { LatencySummary } from './lib/stats';

// The JSON of `npm run bench -- --json FILE` from sample figures: every key docs/performance.md lists, nothing else.

const lat = (p50: number): LatencySummary => ({ count: 1000, p50, p95: p50 * 2, p99: p50 * 3, max: p50 * 4 });
const load = (perSecond: number): SignupLoadResult => ({
  attempted: 3000,
  completed: 3000,
  failed: 0,
  elapsedMs: 12_000,
  signupsPerSecond: perSecond,
  steps: { request: lat(90), inbox: lat(2), confirm: lat(130), signup: lat(60), flow: lat(300) },
  errors: {},
});
const contestant = (name: ContestantName, perSecond: number, cpu: number): ContestantResult => ({
  name,
  load: load(perSecond),
  upstream: { getToken: 1, callsPerSignup: 2, callsPerSignupWithToken: 2.0003, measured: { getToken: 1, requestOtp: 3000, confirmOtp: 3000, getCertification: 0, deleteCertification: 0 } },
  peakRssMb: 180,
  endRssMb: 150,
  cpuMsPerSignup: { server: cpu, postgres: 1.8, bench: 2 },
});
const signup: SignupBenchResult = {
  flow: 'otp', provider: 'iamport', upstreamLatencyMs: 20, signups: 3000, warmup: 1000, concurrency: 64, poolSize: 10, rounds: 6,
  api: contestant('api', 220, 3), baseline: contestant('baseline', 240, 2), ratio: 0.917, roundRatios: [0.9, 0.93],
  roundCpuRatios: [1.2, 1.4, 1.35],
};
const plan = { planningMs: 0.1, executionMs: 0.05, sharedHit: 6, sharedRead: 0, plan: 'Limit > Index Scan Backward using ix_certifications_created' };
const atRows = (rows: number, p99: number): AdminRowsResult => {
  const queries = {} as AdminRowsResult['queries'];
  for (const q of [...ADMIN_API_QUERIES, ...ADMIN_SQL_QUERIES]) queries[q] = { ...lat(p99 / 3), p99 };
  queries.listDeepPageByCursor = null;
  const plans = {} as AdminRowsResult['plans'];
  for (const q of ADMIN_PLANS) plans[q] = plan;
  return {
    rows,
    users: rows * 0.45,
    seed: { load: 30, indexes: 30, vacuum: 6, checkpoint: 1, total: 67, jobs: 2 },
    sizeMb: { certifications: { table: 700, indexes: 520 }, users: { table: 350, indexes: 110 } },
    deepPosition: rows / 2,
    cursorSource: 'constructed',
    loadAverage: { seed: 1, measure: 2, end: 2.5 },
    queries,
    plans,
  };
};
const admin: AdminBenchResult = { runs: 1000, warmup: 1500, pageSize: 20, byRows: [atRows(1_000_000, 4.5), atRows(10_000_000, 9)] };
const pglite: PgliteBenchResult = {
  signups: 300, concurrency: 16, load: load(160), signupsPerSecond: 160, peakRssMb: 420, peakBootRssMb: 880, firstBoot: 'initdb', peakProcesses: 2, bootMs: 4000,
  processes: [{ role: 'api', rssAfterBootMb: 300, peakRssUnderLoadMb: 420, cpuMsPerSignup: 9 }], cpuMsPerSignup: 9,
  targets: [{ name: 'embedded default signups/s', target: '>= 150', value: '160', met: true }],
};
const machine = { cpus: 2, cpuModel: 'AMD EPYC', memoryGb: 23.5, node: 'v20.20.2', postgres: '15.20', os: 'Linux 6.1', loadAverage: { start: [1, 0.5, 0.2], end: [2, 1, 0.4] } };

function report(parts: Partial<BenchReport>): BenchReport {
  const r: BenchReport = {
    date: '2026-12-02T05:00:00.000Z', commit: 'abc1234', command: 'npm run bench -- --rows 1000000,10000000', machine, targets: [],
    loadAverage: { signup: [1, 2], admin: [2, 3], pglite: [3, 1] }, ...parts,
  };
  r.targets = targets(r);
  return r;
}

const sorted = (o: object | null) => Object.keys(o ?? {}).sort();
const PCT = ['count', 'max', 'p50', 'p95', 'p99'];

describe('bench report JSON', () => {
  const json = toJson(report({ signup, admin, pglite, sections: { outage: { answered503: 100 } } }));

  it('has the top-level keys, the machine block and the schema version', () => {
    expect(sorted(json)).toEqual(['command', 'commit', 'date', 'machine', 'schemaVersion', 'sections', 'targets']);
    expect(json.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(sorted(json.machine)).toEqual(['cpuModel', 'cpus', 'loadAverage', 'memoryGb', 'node', 'os', 'postgres']);
    expect(json.machine.loadAverage).toEqual({ start: [1, 0.5, 0.2], end: [2, 1, 0.4] });
    expect(json.command).toBe('npm run bench -- --rows 1000000,10000000');
  });

  it('keys sections by name, other parts kept beside the three of its own', () => {
    expect(sorted(json.sections)).toEqual(['admin', 'embedded', 'outage', 'signup']);
    expect(json.sections.outage).toEqual({ answered503: 100 });
  });

  it('gives each signup run per flow and provider its figures', () => {
    const s = json.sections.signup!;
    expect(sorted(s)).toEqual(['loadAverage', 'runs', 'settings']);
    expect(s.loadAverage).toEqual([1, 2]);
    expect(sorted(s.settings)).toEqual(['concurrency', 'poolSize', 'rounds', 'signups', 'upstreamLatencyMs', 'warmup']);
    const run = s.runs[0];
    expect(sorted(run)).toEqual([
      'candidateVsApi', 'contestants', 'cpuRatio', 'flow', 'medianRoundCpuRatio', 'medianRoundRatio', 'provider', 'ratio', 'roundCpuRatios', 'roundRatios',
    ]);
    expect(run).toMatchObject({ flow: 'otp', provider: 'iamport', ratio: 0.917, cpuRatio: 1.5, candidateVsApi: null });
    expect(run).toMatchObject({ roundRatios: [0.9, 0.93], medianRoundRatio: 0.915, roundCpuRatios: [1.2, 1.4, 1.35], medianRoundCpuRatio: 1.35 });
    expect(sorted(run.contestants)).toEqual(['api', 'baseline', 'candidate']);
    expect(run.contestants.candidate).toBeNull();
    const api = run.contestants.api!;
    expect(sorted(api)).toEqual(['completed', 'cpuMsPerSignup', 'endRssMb', 'failed', 'peakRssMb', 'signupsPerSecond', 'steps', 'upstream']);
    expect(api.cpuMsPerSignup).toEqual({ server: 3, postgres: 1.8, bench: 2 });
    expect(sorted(api.steps)).toEqual(['confirm', 'flow', 'inbox', 'request', 'signup']);
    for (const step of Object.values(api.steps)) expect(sorted(step)).toEqual(PCT);
    expect(api.upstream).toEqual({ callsPerSignup: 2, callsPerSignupWithToken: 2.0003, getTokenPerRun: 1 });
  });

  it('takes the flow and provider of a run that names them', () => {
    const v2 = toJson(report({ signup: [{ ...signup, flow: 'window', provider: 'portone' }] }));
    expect(v2.sections.signup!.runs.map((r) => [r.flow, r.provider])).toEqual([['window', 'portone']]);
  });

  it('expects one upstream call per window signup and two per OTP signup', () => {
    const windowApi = { ...contestant('api', 220, 3), upstream: { ...contestant('api', 220, 3).upstream, callsPerSignup: 1 } };
    const calls = (r: BenchReport) => targets(r).find((t) => t.name.startsWith('upstream calls per signup'))!;
    const win = calls(report({ signup: [{ ...signup, flow: 'window', api: windowApi }] }));
    expect(win).toMatchObject({ name: 'upstream calls per signup (window, iamport)', target: '1 + at most 1 getToken per run', met: true });
    expect(calls(report({ signup: [{ ...signup, flow: 'window' }] })).met).toBe(false);
    expect(calls(report({ signup: [signup] }))).toMatchObject({ target: '2 + at most 1 getToken per run', met: true });
  });

  it('judges throughput and CPU by the median round, the whole run beside it', () => {
    const t = targets(report({ signup: [signup] }));
    expect(t.find((x) => x.name.startsWith('signup throughput'))).toMatchObject({ value: '0.92 (run 0.92)', met: true });
    expect(t.find((x) => x.name.startsWith('server CPU'))).toMatchObject({ value: '1.35 (run 1.50)', met: false });
    const low = targets(report({ signup: [{ ...signup, roundRatios: [0.95, 0.85, 0.88] }] }));
    expect(low.find((x) => x.name.startsWith('signup throughput'))).toMatchObject({ value: '0.88 (run 0.92)', met: false });
  });

  it('gives the admin queries per row count, with seed, sizes, load and plans', () => {
    const a = json.sections.admin!;
    expect(sorted(a)).toEqual(['byRows', 'loadAverage', 'pageSize', 'runs', 'warmup']);
    expect(a.byRows.map((x) => x.rows)).toEqual([1_000_000, 10_000_000]);
    const x = a.byRows[0];
    expect(sorted(x)).toEqual(['cursorSource', 'deepPosition', 'loadAverage', 'plans', 'queries', 'rows', 'seedSeconds', 'sizeMb', 'users']);
    expect(sorted(x.seedSeconds)).toEqual(['checkpoint', 'indexes', 'jobs', 'load', 'total', 'vacuum']);
    expect(sorted(x.sizeMb)).toEqual(['certifications', 'users']);
    expect(sorted(x.loadAverage)).toEqual(['end', 'measure', 'seed']);
    expect(sorted(x.queries)).toEqual([...ADMIN_API_QUERIES, ...ADMIN_SQL_QUERIES].sort());
    expect(x.queries.listDeepPageByCursor).toBeNull();
    expect(sorted(x.queries.ciLookup)).toEqual(PCT);
    expect(sorted(x.plans)).toEqual([...ADMIN_PLANS].sort());
    expect(sorted(x.plans.listFirstPage)).toEqual(['executionMs', 'plan', 'planningMs', 'sharedHit', 'sharedRead']);
  });

  it('gives the embedded figures', () => {
    const e = json.sections.embedded!;
    expect(sorted(e)).toEqual(['bootMs', 'completed', 'concurrency', 'cpuMsPerSignup', 'failed', 'firstBoot', 'loadAverage', 'peakBootRssMb', 'peakProcesses', 'peakRssMb', 'processes', 'signups', 'signupsPerSecond', 'steps']);
    expect(e).toMatchObject({ signupsPerSecond: 160, peakRssMb: 420, loadAverage: [3, 1] });
  });

  it('keeps the shape when a part did not run: its section is null', () => {
    const only = toJson(report({ admin }));
    expect(sorted(only.sections)).toEqual(['admin', 'embedded', 'signup']);
    expect(only.sections.signup).toBeNull();
    expect(only.sections.embedded).toBeNull();
  });

  it('judges the admin p99s against 5 ms at 1,000,000 rows and 8 ms at 10,000,000', () => {
    const t = json.targets;
    expect(t.find((x) => x.name === 'CI lookup p99 at 1,000,000 rows')).toMatchObject({ target: '<= 5 ms', met: true });
    expect(t.find((x) => x.name === 'CI lookup p99 at 10,000,000 rows')).toMatchObject({ target: '<= 8 ms', met: false });
    expect(t.some((x) => x.name.startsWith('admin list deep page'))).toBe(false);
    for (const x of t) expect(sorted(x)).toEqual(['met', 'name', 'target', 'value']);
    expect(t.find((x) => x.name.startsWith('server CPU per signup'))).toMatchObject({ value: '1.35 (run 1.50)', met: false });
  });

  it('prints the row counts side by side', () => {
    const md = markdown(report({ admin }));
    expect(md).toContain('| query, p50 / p99 (ms) | 1,000,000 rows | 10,000,000 rows |');
    expect(md).toContain('| GET /admin/users?ci= | 1.50 / 4.50 | 3.00 / 9.00 |');
  });
});
