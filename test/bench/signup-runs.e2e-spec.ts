/**
 * The bench's signup part end to end at a tiny size: all four runs (OTP and window flow, on
 * i'mport V1 and PortOne V2) complete every signup on the api and on the baseline, with the
 * upstream calls each flow makes. It keeps the bench, and the baseline it compares with, working.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledApiMissing, describeIf, serverDatabaseMissing } from '../support/availability';
import { readTestDbMode } from '../support/test-db-mode';

const BENCH = 'dist/bench/run.js';

interface Contestant {
  completed: number;
  failed: number;
  upstream: { callsPerSignup: number; getTokenPerRun: number };
  cpuMsPerSignup: { server: number };
}
interface Run {
  flow: string;
  provider: string;
  ratio: number | null;
  roundRatios: number[];
  medianRoundCpuRatio: number | null;
  contestants: { api: Contestant | null; baseline: Contestant | null };
}

describeIf('the bench signup runs', compiledApiMissing(), serverDatabaseMissing())('npm run bench -- --only signup, tiny', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  let runs: Run[] = [];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const db = readTestDbMode();
    const url = db.kind === 'server' ? db.adminUrl : '';
    const json = join(dir, 'bench.json');
    const args = [BENCH, '--only', 'signup', '--signups', '40', '--warmup', '10', '--rounds', '2', '--concurrency', '8', '--database-url', url, '--json', json];
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, args, { timeout: 170_000 }, (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr.slice(-2000)}`)) : resolve()));
    });
    runs = (JSON.parse(readFileSync(json, 'utf8')) as { sections: { signup: { runs: Run[] } } }).sections.signup.runs;
  }, 180_000);

  it('measures both flows on both providers, in that order', () => {
    expect(runs.map((r) => `${r.flow} ${r.provider}`)).toEqual(['otp iamport', 'window iamport', 'otp portone', 'window portone']);
  });

  it('completes every signup on the api and on the baseline, each with its ratio and round figures', () => {
    for (const run of runs) {
      for (const c of [run.contestants.api!, run.contestants.baseline!]) {
        expect({ run: `${run.flow} ${run.provider}`, completed: c.completed, failed: c.failed }).toEqual({ run: `${run.flow} ${run.provider}`, completed: 40, failed: 0 });
        expect(c.cpuMsPerSignup.server).toBeGreaterThan(0);
      }
      expect(run.ratio).toBeGreaterThan(0);
      expect(run.roundRatios).toHaveLength(2);
      expect(run.medianRoundCpuRatio).toBeGreaterThan(0);
    }
  });

  it('makes two upstream calls per OTP signup and one per window signup; a token only on V1, at most one a run', () => {
    for (const run of runs) {
      for (const c of [run.contestants.api!, run.contestants.baseline!]) {
        expect(c.upstream.callsPerSignup).toBe(run.flow === 'window' ? 1 : 2);
        expect(c.upstream.getTokenPerRun).toBe(run.provider === 'iamport' ? 1 : 0);
      }
    }
  });
});
