import type { BenchOptions } from './lib/cli';
import { RssSampler } from './lib/processes';
import { startApi } from './lib/servers';
import { runSignupLoad, type SignupLoadResult } from './lib/signup-load';
import { round } from './lib/stats';
import type { SandboxControl } from './signup';

export interface PgliteBenchResult {
  signups: number;
  concurrency: number;
  load: SignupLoadResult;
  signupsPerSecond: number;
  peakRssMb: number;
}

/**
 * The embedded default: the api with no DATABASE_URL (PGlite in process, one connection, PII
 * keys generated into a temporary DATA_DIR), a smaller signup load.
 */
export async function runPgliteBench(o: BenchOptions, sandbox: SandboxControl, log: (s: string) => void): Promise<PgliteBenchResult> {
  log(`embedded PGlite: ${o.pgliteSignups} signups at concurrency ${o.pgliteConcurrency}`);
  await sandbox.reset(o.upstreamLatencyMs);
  const api = await startApi({ databaseUrl: null, poolSize: 1, sandboxUrl: sandbox.url, main: o.apiMain, nodeOptions: o.apiNodeOptions });
  try {
    const rss = new RssSampler(api.child.pid).start();
    const base = { targetUrl: api.url, sandboxUrl: sandbox.url, concurrency: o.pgliteConcurrency };
    const warm = Math.min(20, o.pgliteSignups);
    await runSignupLoad({ ...base, first: 0, count: warm });
    rss.resetPeak();
    const load = await runSignupLoad({ ...base, first: warm, count: o.pgliteSignups });
    rss.stop();
    if (load.failed > 0) log(`  pglite: ${load.failed} failed flows ${JSON.stringify(load.errors)}`);
    log(`  pglite: ${load.completed} signups in ${(load.elapsedMs / 1000).toFixed(1)} s = ${load.signupsPerSecond}/s`);
    return {
      signups: o.pgliteSignups,
      concurrency: o.pgliteConcurrency,
      load,
      signupsPerSecond: load.signupsPerSecond,
      peakRssMb: round(rss.peak / 1048576, 1),
    };
  } finally {
    await api.stop();
  }
}
