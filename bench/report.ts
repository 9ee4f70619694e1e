import type { AdminBenchResult, AdminRowsResult } from './admin';
import { ADMIN_API_QUERIES, ADMIN_PLANS, ADMIN_SQL_QUERIES, type AdminQueryName } from './lib/admin-queries';
import type { PgliteBenchResult } from './pglite';
import type { ContestantName, ContestantResult, SignupBenchResult } from './signup';
import type { PlanSummary } from './lib/admin-plans';
import { round, type LatencySummary } from './lib/stats';

/** Bumped when a key of the JSON changes meaning or unit, or goes away (docs/performance.md, "The JSON"). */
export const REPORT_SCHEMA_VERSION = 2;

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  postgres: string;
  os: string;
  /** os.loadavg() (1, 5, 15 minutes) when the run started and when it ended. */
  loadAverage: { start: number[]; end: number[] };
}

/** One signup run: a flow on a provider. */
export type SignupRunResult = SignupBenchResult;

/** What run.ts collects: the raw results of each part. `toJson` gives them the stable shape. */
export interface BenchReport {
  /** ISO 8601 instant the run started. */
  date: string;
  commit: string | null;
  /** 1-minute load average of the machine at the start and end of each part (background load). */
  loadAverage: Record<string, [number, number]>;
  command: string;
  machine: MachineInfo;
  signup?: SignupRunResult | SignupRunResult[];
  admin?: AdminBenchResult;
  pglite?: PgliteBenchResult;
  /** Sections of other parts (e.g. `outage`), copied into the JSON under their name. */
  sections?: Record<string, unknown>;
  targets: Target[];
}

export interface Target {
  name: string;
  target: string;
  value: string;
  met: boolean | null;
}

// ---- The JSON: one shape whatever ran (a part that did not run is null).

/** Milliseconds, nearest-rank percentiles of `count` samples. */
export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ContestantJson {
  signupsPerSecond: number;
  completed: number;
  failed: number;
  /** CPU ms per completed signup: the server process, local PostgreSQL (null: not visible), the bench process. */
  cpuMsPerSignup: { server: number; postgres: number | null; bench: number };
  steps: { request: Percentiles; inbox: Percentiles; confirm: Percentiles; signup: Percentiles; flow: Percentiles };
  upstream: { callsPerSignup: number; callsPerSignupWithToken: number; getTokenPerRun: number };
  peakRssMb: number;
  endRssMb: number;
}

export interface SignupRunJson {
  flow: string;
  provider: string;
  /** api signups/s over the baseline's (null without a baseline). */
  ratio: number | null;
  /** The api's server CPU ms per signup over the baseline's. */
  cpuRatio: number | null;
  candidateVsApi: number | null;
  roundRatios: number[];
  /** Server CPU ms per signup of each round, api over baseline. */
  roundCpuRatios: number[];
  /** The medians of the two (null without rounds): what the targets judge. */
  medianRoundRatio: number | null;
  medianRoundCpuRatio: number | null;
  contestants: Record<ContestantName, ContestantJson | null>;
}

export interface SignupSectionJson {
  loadAverage: [number, number] | null;
  settings: { signups: number; warmup: number; rounds: number; concurrency: number; poolSize: number; upstreamLatencyMs: number };
  runs: SignupRunJson[];
}

export interface AdminRowsJson {
  rows: number;
  users: number;
  seedSeconds: AdminRowsResult['seed'];
  sizeMb: AdminRowsResult['sizeMb'];
  deepPosition: number;
  cursorSource: AdminRowsResult['cursorSource'];
  loadAverage: AdminRowsResult['loadAverage'];
  queries: Record<AdminQueryName, Percentiles | null>;
  plans: Record<(typeof ADMIN_PLANS)[number], PlanSummary>;
}

export interface AdminSectionJson {
  loadAverage: [number, number] | null;
  runs: number;
  warmup: number;
  pageSize: number;
  byRows: AdminRowsJson[];
}

export interface EmbeddedSectionJson {
  loadAverage: [number, number] | null;
  signups: number;
  concurrency: number;
  signupsPerSecond: number;
  completed: number;
  failed: number;
  steps: ContestantJson['steps'];
  /** Peak of the summed RSS of the api's whole process tree under the load, and over the boot (a fresh DATA_DIR made from the build's template, or by initdb). */
  peakRssMb: number;
  peakBootRssMb: number;
  /** `template` (the build's copied) or `initdb`. */
  firstBoot: 'template' | 'initdb';
  peakProcesses: number;
  bootMs: number;
  /** CPU ms per completed signup, every process of the tree. */
  cpuMsPerSignup: number | null;
  processes: PgliteBenchResult['processes'];
}

export interface BenchJson {
  schemaVersion: number;
  date: string;
  commit: string | null;
  command: string;
  machine: MachineInfo;
  sections: { signup: SignupSectionJson | null; admin: AdminSectionJson | null; embedded: EmbeddedSectionJson | null } & Record<string, unknown>;
  targets: Target[];
}

const pct = (l: LatencySummary): Percentiles => ({ count: l.count, p50: l.p50, p95: l.p95, p99: l.p99, max: l.max });
const nullable = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function contestantJson(c: ContestantResult | undefined): ContestantJson | null {
  if (!c) return null;
  const s = c.load.steps;
  return {
    signupsPerSecond: c.load.signupsPerSecond,
    completed: c.load.completed,
    failed: c.load.failed,
    cpuMsPerSignup: { server: c.cpuMsPerSignup.server, postgres: c.cpuMsPerSignup.postgres, bench: c.cpuMsPerSignup.bench },
    steps: { request: pct(s.request), inbox: pct(s.inbox), confirm: pct(s.confirm), signup: pct(s.signup), flow: pct(s.flow) },
    upstream: { callsPerSignup: c.upstream.callsPerSignup, callsPerSignupWithToken: c.upstream.callsPerSignupWithToken, getTokenPerRun: c.upstream.getToken },
    peakRssMb: c.peakRssMb,
    endRssMb: c.endRssMb,
  };
}

export function signupRuns(r: BenchReport): SignupRunResult[] {
  return r.signup === undefined ? [] : Array.isArray(r.signup) ? r.signup : [r.signup];
}

function signupSection(r: BenchReport): SignupSectionJson | null {
  const runs = signupRuns(r);
  if (runs.length === 0) return null;
  const s = runs[0];
  return {
    loadAverage: r.loadAverage.signup ?? null,
    settings: { signups: s.signups, warmup: s.warmup, rounds: s.rounds, concurrency: s.concurrency, poolSize: s.poolSize, upstreamLatencyMs: s.upstreamLatencyMs },
    runs: runs.map((run) => ({
      flow: run.flow,
      provider: run.provider,
      ratio: nullable(run.ratio),
      cpuRatio: run.api && run.baseline ? Math.round((run.api.cpuMsPerSignup.server / run.baseline.cpuMsPerSignup.server) * 1000) / 1000 : null,
      candidateVsApi: nullable(run.candidateVsApi),
      roundRatios: run.roundRatios ?? [],
      roundCpuRatios: run.roundCpuRatios ?? [],
      medianRoundRatio: median(run.roundRatios),
      medianRoundCpuRatio: median(run.roundCpuRatios),
      contestants: { api: contestantJson(run.api), baseline: contestantJson(run.baseline), candidate: contestantJson(run.candidate) },
    })),
  };
}

function adminSection(r: BenchReport): AdminSectionJson | null {
  const a = r.admin;
  if (!a) return null;
  return {
    loadAverage: r.loadAverage.admin ?? null,
    runs: a.runs,
    warmup: a.warmup,
    pageSize: a.pageSize,
    byRows: a.byRows.map((x) => {
      const queries = {} as AdminRowsJson['queries'];
      for (const name of [...ADMIN_API_QUERIES, ...ADMIN_SQL_QUERIES]) queries[name] = x.queries[name] ? pct(x.queries[name]!) : null;
      return {
        rows: x.rows,
        users: x.users,
        seedSeconds: x.seed,
        sizeMb: x.sizeMb,
        deepPosition: x.deepPosition,
        cursorSource: x.cursorSource,
        loadAverage: x.loadAverage,
        queries,
        plans: x.plans,
      };
    }),
  };
}

function embeddedSection(r: BenchReport): EmbeddedSectionJson | null {
  const p = r.pglite;
  if (!p) return null;
  const s = p.load.steps;
  return {
    loadAverage: r.loadAverage.pglite ?? null,
    signups: p.signups,
    concurrency: p.concurrency,
    signupsPerSecond: p.signupsPerSecond,
    completed: p.load.completed,
    failed: p.load.failed,
    steps: { request: pct(s.request), inbox: pct(s.inbox), confirm: pct(s.confirm), signup: pct(s.signup), flow: pct(s.flow) },
    peakRssMb: p.peakRssMb,
    peakBootRssMb: p.peakBootRssMb,
    firstBoot: p.firstBoot,
    peakProcesses: p.peakProcesses,
    bootMs: p.bootMs,
    cpuMsPerSignup: p.cpuMsPerSignup,
    processes: p.processes,
  };
}

/** The report in its stable JSON shape (`--json FILE`). */
export function toJson(r: BenchReport): BenchJson {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    date: r.date,
    commit: r.commit,
    command: r.command,
    machine: r.machine,
    sections: { ...(r.sections ?? {}), signup: signupSection(r), admin: adminSection(r), embedded: embeddedSection(r) },
    targets: r.targets,
  };
}

// ---- Targets (issue #17) and the markdown.

const ms = (n: number | undefined | null) => (n === undefined || n === null || Number.isNaN(n) ? '–' : n.toFixed(n < 10 ? 2 : 1));
const lat = (l: LatencySummary | null | undefined) => (l ? `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)}` : '–');
const count = (n: number) => n.toLocaleString('en-US');

/** p99 goal of the admin queries: 5 ms up to 1,000,000 rows, 8 ms up to 10,000,000. */
export function adminP99TargetMs(rows: number): number | null {
  return rows <= 1_000_000 ? 5 : rows <= 10_000_000 ? 8 : null;
}

const ADMIN_TARGETED: [AdminQueryName, string][] = [
  ['listFirstPage', 'admin list first page p99'],
  ['listDeepPageByCursor', 'admin list deep page (cursor) p99'],
  ['phoneFilter', 'admin phone filter p99'],
  ['ciLookup', 'CI lookup p99'],
  ['diLookup', 'DI lookup p99'],
];

/** The median of the values (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[] | undefined): number | null {
  if (!values || values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return round(v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2, 3);
}

export function targets(r: BenchReport): Target[] {
  const t: Target[] = [];
  for (const s of signupRuns(r)) {
    const tag = ` (${s.flow}, ${s.provider})`;
    // OTP: request + confirm; window: the one read of the certification.
    const expected = s.flow === 'window' ? 1 : 2;
    // The issue's measure: the median of the rounds (the whole run's ratio beside it).
    const rate = median(s.roundRatios) ?? s.ratio ?? null;
    if (rate !== null && s.ratio !== undefined) {
      t.push({ name: `signup throughput vs baseline, median round${tag}`, target: '>= 0.9', value: `${rate.toFixed(2)} (run ${s.ratio.toFixed(2)})`, met: rate >= 0.9 });
    }
    if (s.api && s.baseline) {
      const whole = s.api.cpuMsPerSignup.server / s.baseline.cpuMsPerSignup.server;
      const cpu = median(s.roundCpuRatios) ?? whole;
      t.push({ name: `server CPU per signup vs baseline, median round${tag}`, target: '<= 1.3', value: `${cpu.toFixed(2)} (run ${whole.toFixed(2)})`, met: cpu <= 1.3 });
    }
    if (s.api) {
      const calls = s.api.upstream.callsPerSignup;
      t.push({
        name: `upstream calls per signup${tag}`,
        target: `${expected} + at most 1 getToken per run`,
        value: `${calls.toFixed(3)} + ${s.api.upstream.getToken} getToken`,
        met: Math.abs(calls - expected) < 1e-9 && s.api.upstream.getToken <= 1,
      });
      t.push({ name: `api peak RSS under load${tag}`, target: '< 200 MB', value: `${s.api.peakRssMb} MB`, met: s.api.peakRssMb < 200 });
    }
  }
  for (const x of r.admin?.byRows ?? []) {
    const goal = adminP99TargetMs(x.rows);
    for (const [name, label] of ADMIN_TARGETED) {
      const q = x.queries[name];
      if (!q) continue;
      t.push({ name: `${label} at ${count(x.rows)} rows`, target: goal === null ? '–' : `<= ${goal} ms`, value: `${ms(q.p99)} ms`, met: goal === null ? null : q.p99 <= goal });
    }
  }
  if (r.pglite) t.push(...r.pglite.targets);
  return t;
}

const QUERY_LABEL: Record<AdminQueryName, string> = {
  listFirstPage: 'GET /admin/certifications, first page (20)',
  listDeepPageByCursor: 'GET /admin/certifications, deep page by cursor',
  phoneFilter: 'GET /admin/certifications?phone=',
  ciLookup: 'GET /admin/users?ci=',
  diLookup: 'GET /admin/users?di=',
  detail: 'GET /admin/certifications/:imp_uid',
  sqlOffsetDeepPage: 'for comparison, raw SQL: deep page by OFFSET',
  sqlKeysetDeepPage: 'for comparison, raw SQL: deep page by keyset',
  sqlCiSelect: "for comparison, raw SQL: the CI lookup's SELECT alone",
  sqlCiLookupAudited: "for comparison, raw SQL: the CI lookup's statement with its audit row (commit, WAL flush)",
  httpFloor: 'for comparison, a bare node:http server answering a page-sized JSON (the machine\'s floor)',
};

function adminMarkdown(a: AdminBenchResult): string[] {
  const cols = a.byRows;
  const head = (label: string) => `| ${label} | ${cols.map((x) => `${count(x.rows)} rows`).join(' | ')} |`;
  const rule = `|---|${cols.map(() => '---:').join('|')}|`;
  const out = [
    `### Admin queries at ${cols.map((x) => count(x.rows)).join(' and ')} verifications`,
    '',
    `${a.runs} sequential runs each through the api's HTTP endpoints (one keep-alive connection), after ${a.warmup} warm-up rounds of every query. ` +
      `p50 / p99 in ms; the deep page is the middle of the table (cursor ${cols.map((x) => x.cursorSource).join(', ')}).`,
    '',
    head('query, p50 / p99 (ms)'),
    rule,
    ...[...ADMIN_API_QUERIES, ...ADMIN_SQL_QUERIES].map(
      (name) => `| ${QUERY_LABEL[name]} | ${cols.map((x) => (x.queries[name] ? `${ms(x.queries[name]!.p50)} / ${ms(x.queries[name]!.p99)}` : '–')).join(' | ')} |`,
    ),
    '',
    head('seed'),
    rule,
    `| accounts | ${cols.map((x) => count(x.users)).join(' | ')} |`,
    `| seed: load / indexes / VACUUM / CHECKPOINT = total (s), connections | ${cols.map((x) => `${x.seed.load} / ${x.seed.indexes} / ${x.seed.vacuum} / ${x.seed.checkpoint} = **${x.seed.total}**, ${x.seed.jobs}`).join(' | ')} |`,
    `| certifications: table + indexes (MB) | ${cols.map((x) => `${count(x.sizeMb.certifications.table)} + ${count(x.sizeMb.certifications.indexes)}`).join(' | ')} |`,
    `| users: table + indexes (MB) | ${cols.map((x) => `${count(x.sizeMb.users.table)} + ${count(x.sizeMb.users.indexes)}`).join(' | ')} |`,
    `| load average (1 min): seed, measure, end | ${cols.map((x) => `${x.loadAverage.seed}, ${x.loadAverage.measure}, ${x.loadAverage.end}`).join(' | ')} |`,
    '',
    head('EXPLAIN (ANALYZE, BUFFERS): execution ms, shared hit/read'),
    rule,
    ...ADMIN_PLANS.map((name) => `| ${QUERY_LABEL[name]} | ${cols.map((x) => `${ms(x.plans[name].executionMs)}, ${x.plans[name].sharedHit}/${x.plans[name].sharedRead}`).join(' | ')} |`),
    '',
    'Plans:',
    '',
    ...ADMIN_PLANS.map((name) => `- ${QUERY_LABEL[name]}: ${[...new Set(cols.map((x) => `\`${x.plans[name].plan}\``))].join('; ')}`),
    '',
  ];
  return out;
}

function signupMarkdown(s: SignupRunResult): string[] {
  const provider = s.provider === 'portone' ? 'PortOne V2' : "i'mport V1";
  const window = s.flow === 'window';
  const cols = [s.api, s.candidate, s.baseline].filter((x): x is ContestantResult => x !== undefined);
  const title: Record<ContestantResult['name'], string> = { api: 'api (Nest + TypeORM)', candidate: 'candidate api build', baseline: 'baseline (node:http + pg)' };
  const row = (label: string, f: (c: ContestantResult) => string) => `| ${label} | ${cols.map(f).join(' | ')} |`;
  return [
    window
      ? `### Signup, window flow (window start, the person certifies in the sandbox's window, completion, signup), ${provider}`
      : `### Signup, OTP flow (OTP request, confirm, signup), ${provider}`,
    '',
    `${s.signups} signups per contestant after ${s.warmup} warm-up signups, alternating between the two in ${s.rounds} rounds, ${s.concurrency} virtual users, upstream latency ${s.upstreamLatencyMs} ms on every certification call (V1 /certifications, V2 /identity-verifications), database pool ${s.poolSize}, same PostgreSQL server.` +
      (s.roundRatios ? ` Ratio of each round: ${s.roundRatios.map((x) => x.toFixed(2)).join(', ')} (median ${median(s.roundRatios)?.toFixed(2)}).` : '') +
      (s.roundCpuRatios?.length ? ` Server CPU per signup, api over baseline, each round: ${s.roundCpuRatios.map((x) => x.toFixed(2)).join(', ')} (median ${median(s.roundCpuRatios)?.toFixed(2)}).` : ''),
    '',
    `| | ${cols.map((c) => title[c.name]).join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
    row('completed signups/s', (c) => `**${c.load.signupsPerSecond}**`),
    ...(s.ratio !== undefined ? [row('ratio api / baseline', (c) => (c.name === 'api' ? `**${s.ratio!.toFixed(2)}**` : c.name === 'baseline' ? '1' : '–'))] : []),
    ...(s.candidateVsApi !== undefined ? [row('ratio candidate / api', (c) => (c.name === 'candidate' ? `**${s.candidateVsApi!.toFixed(2)}**` : c.name === 'api' ? '1' : '–'))] : []),
    row('failed flows', (c) => String(c.load.failed)),
    row(`${window ? 'window start' : 'OTP request'} p50 / p95 / p99 (ms)`, (c) => lat(c.load.steps.request)),
    row(`${window ? 'completion (POST /certifications)' : 'OTP confirm'} p50 / p95 / p99 (ms)`, (c) => lat(c.load.steps.confirm)),
    row('signup p50 / p95 / p99 (ms)', (c) => lat(c.load.steps.signup)),
    row(`whole flow p50 / p95 / p99 (ms, incl. ${window ? "the sandbox's certification" : 'inbox read'})`, (c) => lat(c.load.steps.flow)),
    row('upstream calls per signup (w/o getToken)', (c) => String(c.upstream.callsPerSignup)),
    row('getToken calls, whole run', (c) => String(c.upstream.getToken)),
    row('peak RSS under load (MB)', (c) => String(c.peakRssMb)),
    row('CPU ms per signup: server / PostgreSQL / bench process', (c) => `${c.cpuMsPerSignup.server} / ${c.cpuMsPerSignup.postgres ?? '–'} / ${c.cpuMsPerSignup.bench}`),
    '',
  ];
}

export function markdown(r: BenchReport): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`Measured ${r.date}${r.commit ? ` on commit ${r.commit.slice(0, 7)}` : ''}, ${m.cpus} vCPU ${m.cpuModel}, ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}, PostgreSQL ${m.postgres}.`);
  out.push(`Command: \`${r.command}\``);
  const la = Object.entries(r.loadAverage ?? {}).map(([k, [a, b]]) => `${k} ${a.toFixed(1)} -> ${b.toFixed(1)}`);
  out.push(
    `Load average (1/5/15 min) at start ${m.loadAverage.start.join('/')}, at end ${m.loadAverage.end.join('/')}` +
      (la.length ? `; 1 min at the start and end of each part: ${la.join(', ')}` : '') +
      ` (${m.cpus} CPUs).`,
  );
  out.push('');
  for (const s of signupRuns(r)) out.push(...signupMarkdown(s));
  if (r.admin && r.admin.byRows.length) out.push(...adminMarkdown(r.admin));
  if (r.pglite) out.push(embeddedMarkdown(r.pglite));
  if (r.targets.length) {
    out.push('### Targets', '', '| target | goal | measured | met |', '|---|---|---|---|');
    for (const t of r.targets) out.push(`| ${t.name} | ${t.target} | ${t.value} | ${t.met === null ? '–' : t.met ? 'yes' : '**no**'} |`);
    out.push('');
  }
  return out.join('\n');
}

/** The embedded section of the printed report . */
export function embeddedMarkdown(p: PgliteBenchResult): string {
  const l = p.load.steps.flow;
  const out = [
    '### Embedded default (PGlite, no DATABASE_URL): the api and the processes it starts',
    '',
    `${p.load.completed} signups after ${Math.min(100, p.signups)} warm-up, ${p.concurrency} virtual users, a fresh DATA_DIR (the boot ${p.firstBoot === 'template' ? "copies the build's template" : 'runs initdb'}); boot ${(p.bootMs / 1000).toFixed(1)} s; RSS summed over the api's process tree (at most ${p.peakProcesses} processes at once), sampled every 50 ms.`,
    '',
    '| signups/s | failed | whole flow p50 / p95 / p99 (ms) | peak RSS, boot (MB) | peak RSS, load (MB) | CPU ms per signup, all processes |',
    '|---:|---:|---|---:|---:|---:|',
    `| **${p.signupsPerSecond}** | ${p.load.failed} | ${l.p50.toFixed(1)} / ${l.p95.toFixed(1)} / ${l.p99.toFixed(1)} | ${p.peakBootRssMb} | ${p.peakRssMb} | ${p.cpuMsPerSignup ?? '–'} |`,
    '',
    '| process | RSS after boot (MB) | peak RSS under load (MB) | CPU ms per signup |',
    '|---|---:|---:|---:|',
    ...p.processes.map((x) => `| ${x.role} | ${x.rssAfterBootMb} | ${x.peakRssUnderLoadMb} | ${x.cpuMsPerSignup ?? '–'} |`),
    '',
  ];
  return out.join('\n');
}
