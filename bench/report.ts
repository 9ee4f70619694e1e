import type { AdminBenchResult } from './admin';
import type { PgliteBenchResult } from './pglite';
import type { ContestantResult, SignupBenchResult } from './signup';
import type { LatencySummary } from './lib/stats';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  postgres: string;
  os: string;
}

export interface BenchReport {
  date: string;
  /** 1-minute load average of the machine at the start and end of each part (background load). */
  loadAverage: Record<string, [number, number]>;
  command: string;
  machine: MachineInfo;
  signup?: SignupBenchResult;
  admin?: AdminBenchResult;
  pglite?: PgliteBenchResult;
  targets: { name: string; target: string; value: string; met: boolean | null }[];
}

const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(n < 10 ? 2 : 1));
const lat = (l: LatencySummary | null | undefined) => (l ? `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)}` : '–');

export function targets(r: BenchReport): BenchReport['targets'] {
  const t: BenchReport['targets'] = [];
  if (r.signup) {
    const s = r.signup;
    if (s.ratio !== undefined) {
      t.push({ name: 'signup throughput vs baseline', target: '>= 0.6', value: s.ratio.toFixed(2), met: s.ratio >= 0.6 });
    }
    if (s.api) {
      const calls = s.api.upstream.callsPerSignup;
      t.push({
        name: 'upstream calls per signup',
        target: '2 + at most 1 getToken per run',
        value: `${calls.toFixed(3)} + ${s.api.upstream.getToken} getToken`,
        met: Math.abs(calls - 2) < 1e-9 && s.api.upstream.getToken <= 1,
      });
      t.push({ name: 'api peak RSS under load', target: '< 250 MB', value: `${s.api.peakRssMb} MB`, met: s.api.peakRssMb < 250 });
    }
  }
  if (r.admin) {
    const q = r.admin.queries;
    const at = r.admin.rows < 1_000_000 ? ` (at ${r.admin.rows.toLocaleString('en-US')} rows, not 1,000,000)` : '';
    t.push({ name: 'admin list first page p99', target: '<= 10 ms', value: `${ms(q.listFirstPage.p99)} ms`, met: q.listFirstPage.p99 <= 10 });
    if (q.listDeepPageByCursor) {
      t.push({ name: 'admin list deep page (cursor) p99', target: '<= 10 ms', value: `${ms(q.listDeepPageByCursor.p99)} ms`, met: q.listDeepPageByCursor.p99 <= 10 });
    }
    t.push({ name: 'admin phone filter p99', target: '<= 10 ms', value: `${ms(q.phoneFilter.p99)} ms`, met: q.phoneFilter.p99 <= 10 });
    t.push({ name: 'CI lookup p99', target: '<= 5 ms', value: `${ms(q.ciLookup.p99)} ms`, met: q.ciLookup.p99 <= 5 });
    for (const x of t) if (x.name.startsWith('admin') || x.name.startsWith('CI')) x.name += at;
  }
  return t;
}

export function markdown(r: BenchReport): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`Measured ${r.date} on ${m.cpus} vCPU ${m.cpuModel}, ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}, PostgreSQL ${m.postgres}.`);
  out.push(`Command: \`${r.command}\``);
  const la = Object.entries(r.loadAverage ?? {}).map(([k, [a, b]]) => `${k} ${a.toFixed(1)} -> ${b.toFixed(1)}`);
  if (la.length) out.push(`Load average (1 min) at the start and end of each part, ${r.machine.cpus} CPUs: ${la.join(', ')}.`);
  out.push('');
  if (r.signup) {
    const s = r.signup;
    out.push(
      `### Signup flow (OTP request, confirm, signup)`,
      '',
      `${s.signups} signups per contestant after ${s.warmup} warm-up signups, alternating between the two in ${s.rounds} rounds, ${s.concurrency} virtual users, upstream latency ${s.upstreamLatencyMs} ms on every /certifications call, database pool ${s.poolSize}, same PostgreSQL server.` +
        (s.roundRatios ? ` Ratio of each round: ${s.roundRatios.map((x) => x.toFixed(2)).join(', ')}.` : ''),
      '',
    );
    const cols = [s.api, s.candidate, s.baseline].filter((x): x is ContestantResult => x !== undefined);
    const title: Record<ContestantResult['name'], string> = { api: 'api (Nest + TypeORM)', candidate: 'candidate api build', baseline: 'baseline (node:http + pg)' };
    const row = (label: string, f: (c: ContestantResult) => string) => `| ${label} | ${cols.map(f).join(' | ')} |`;
    out.push(
      `| | ${cols.map((c) => title[c.name]).join(' | ')} |`,
      `|---|${cols.map(() => '---:').join('|')}|`,
      row('completed signups/s', (c) => `**${c.load.signupsPerSecond}**`),
      ...(s.ratio !== undefined ? [row('ratio api / baseline', (c) => (c.name === 'api' ? `**${s.ratio!.toFixed(2)}**` : c.name === 'baseline' ? '1' : '–'))] : []),
      ...(s.candidateVsApi !== undefined ? [row('ratio candidate / api', (c) => (c.name === 'candidate' ? `**${s.candidateVsApi!.toFixed(2)}**` : c.name === 'api' ? '1' : '–'))] : []),
      row('failed flows', (c) => String(c.load.failed)),
      row('OTP request p50 / p95 / p99 (ms)', (c) => lat(c.load.steps.request)),
      row('OTP confirm p50 / p95 / p99 (ms)', (c) => lat(c.load.steps.confirm)),
      row('signup p50 / p95 / p99 (ms)', (c) => lat(c.load.steps.signup)),
      row('whole flow p50 / p95 / p99 (ms, incl. inbox read)', (c) => lat(c.load.steps.flow)),
      row('upstream calls per signup (w/o getToken)', (c) => String(c.upstream.callsPerSignup)),
      row('getToken calls, whole run', (c) => String(c.upstream.getToken)),
      row('peak RSS under load (MB)', (c) => String(c.peakRssMb)),
      row('CPU ms per signup: server / PostgreSQL / bench process', (c) =>
        `${c.cpuMsPerSignup.server} / ${c.cpuMsPerSignup.postgres ?? '–'} / ${c.cpuMsPerSignup.bench}`,
      ),
      '',
    );
  }
  if (r.admin) {
    const a = r.admin;
    const q = a.queries;
    out.push(
      `### Admin queries at ${a.rows.toLocaleString('en-US')} verifications (${a.users.toLocaleString('en-US')} users)`,
      '',
      `${a.runs} sequential runs each through the api's HTTP endpoints (one keep-alive connection), after a warm-up; seeded in ${a.seedSeconds} s. Deep page = position ${a.deepPosition.toLocaleString('en-US')} (cursor ${a.cursorSource}).`,
      '',
      '| query | p50 (ms) | p95 (ms) | p99 (ms) |',
      '|---|---:|---:|---:|',
      `| GET /admin/certifications, first page (20) | ${ms(q.listFirstPage.p50)} | ${ms(q.listFirstPage.p95)} | ${ms(q.listFirstPage.p99)} |`,
      `| GET /admin/certifications, deep page by cursor | ${ms(q.listDeepPageByCursor?.p50)} | ${ms(q.listDeepPageByCursor?.p95)} | ${ms(q.listDeepPageByCursor?.p99)} |`,
      `| GET /admin/certifications?phone= | ${ms(q.phoneFilter.p50)} | ${ms(q.phoneFilter.p95)} | ${ms(q.phoneFilter.p99)} |`,
      `| GET /admin/users?ci= | ${ms(q.ciLookup.p50)} | ${ms(q.ciLookup.p95)} | ${ms(q.ciLookup.p99)} |`,
      `| for comparison, raw SQL: deep page by OFFSET | ${ms(q.sqlOffsetDeepPage.p50)} | ${ms(q.sqlOffsetDeepPage.p95)} | ${ms(q.sqlOffsetDeepPage.p99)} |`,
      `| for comparison, raw SQL: deep page by keyset | ${ms(q.sqlKeysetDeepPage.p50)} | ${ms(q.sqlKeysetDeepPage.p95)} | ${ms(q.sqlKeysetDeepPage.p99)} |`,
      `| for comparison, raw SQL: the CI lookup's SELECT alone | ${ms(q.sqlCiSelect.p50)} | ${ms(q.sqlCiSelect.p95)} | ${ms(q.sqlCiSelect.p99)} |`,
      `| for comparison, raw SQL: the CI lookup's statement with its audit row (commit, WAL flush) | ${ms(q.sqlCiLookupAudited.p50)} | ${ms(q.sqlCiLookupAudited.p95)} | ${ms(q.sqlCiLookupAudited.p99)} |`,
      '',
    );
  }
  if (r.pglite) {
    const p = r.pglite;
    out.push(
      `### Embedded PGlite default (no DATABASE_URL)`,
      '',
      `| signups | virtual users | signups/s | failed | whole flow p50 / p95 / p99 (ms) | peak RSS (MB) |`,
      '|---:|---:|---:|---:|---|---:|',
      `| ${p.load.completed} | ${p.concurrency} | **${p.signupsPerSecond}** | ${p.load.failed} | ${lat(p.load.steps.flow)} | ${p.peakRssMb} |`,
      '',
    );
  }
  if (r.targets.length) {
    out.push('### Targets', '', '| target | goal | measured | met |', '|---|---|---|---|');
    for (const t of r.targets) out.push(`| ${t.name} | ${t.target} | ${t.value} | ${t.met === null ? '–' : t.met ? 'yes' : '**no**'} |`);
    out.push('');
  }
  return out.join('\n');
}
