/**
 * `npm run bench [-- --quick] [-- --json FILE]`: the signup-flow load against the api and a
 * node:http + pg baseline on the same PostgreSQL server, the admin queries at 1,000,000
 * verification rows, the embedded PGlite default, and a sustained upstream outage. Prints a markdown table. See
 * docs/performance.md.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { readFileSync } from 'node:fs';
import { IamportSandbox } from '../apps/iamport-sandbox/src/sandbox';
import { runAdminBench } from './admin';
import { parseArgs, type BenchOptions } from './lib/cli';
import { serverVersion } from './lib/database';
import { NodeChild } from './lib/processes';
import { BENCH_UPSTREAM_CREDENTIALS } from './lib/servers';
import { costMarkdown, runCostBench } from './cost';
import { outageMarkdown, runOutageBench, type OutageReport } from './outage';
import { runPgliteBench } from './pglite';
import { markdown, targets, toJson, type BenchReport, type MachineInfo } from './report';
import { runSignupBench, SandboxControl } from './signup';

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

async function machine(o: BenchOptions): Promise<MachineInfo> {
  return {
    cpus: cpus().length,
    cpuModel: cpuModel(),
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    postgres: await serverVersion(o.databaseUrl),
    os: `${type()} ${release()}`,
    loadAverage: { start: loadavg().map((x) => Math.round(x * 100) / 100), end: [] },
  };
}

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: __dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

function log(s: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  // Everything stops by itself: a hard ceiling on the whole run.
  const ceilingMs = (o.quick ? 5 : 40) * 60_000;
  const ceiling = setTimeout(() => {
    log(`still running after ${ceilingMs / 60_000} min: stopping`);
    NodeChild.killAll();
    process.exit(3);
  }, ceilingMs);
  ceiling.unref();

  const report: BenchReport = {
    date: new Date().toISOString(),
    commit: commit(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
    machine: await machine(o),
    loadAverage: {},
    targets: [],
  };
  const sandbox = new IamportSandbox({ logger: { log: () => undefined }, ...BENCH_UPSTREAM_CREDENTIALS });
  const sandboxUrl = await sandbox.listen(0);
  // The upstream's idle keep-alive timeout (node's default is 5 s; a load balancer's is ~60 s).
  const upstreamServer = (sandbox as unknown as { server: Server | null }).server;
  if (upstreamServer) {
    upstreamServer.keepAliveTimeout = o.upstreamKeepAliveMs;
    upstreamServer.headersTimeout = Math.max(upstreamServer.headersTimeout, o.upstreamKeepAliveMs + 1000);
  }
  const control = new SandboxControl(sandboxUrl);
  const started = Date.now();
  try {
    const part = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const before = loadavg()[0];
      const result = await fn();
      report.loadAverage[name] = [Math.round(before * 100) / 100, Math.round(loadavg()[0] * 100) / 100];
      return result;
    };
    if (o.only.has('signup')) {
      const runs = o.providers.flatMap((provider) => o.flows.map((flow) => ({ flow, provider })));
      report.signup = await part('signup', async () => {
        const results = [];
        for (const run of runs) results.push(await runSignupBench(o, run, control, log));
        return results;
      });
    }
    if (o.only.has('admin')) report.admin = await part('admin', () => runAdminBench(o, sandboxUrl, log));
    if (o.only.has('pglite')) report.pglite = await part('pglite', () => runPgliteBench(o, control, log));
    if (o.only.has('cost')) {
      const cost = await part('cost', () => runCostBench(o, control, log));
      report.sections = { ...report.sections, cost };
    }
    if (o.only.has('outage')) {
      const outage = await part('outage', () => runOutageBench(o, sandboxUrl, log));
      report.sections = { ...report.sections, outage };
    }
  } finally {
    control.close();
    await sandbox.close();
  }
  report.machine.loadAverage.end = loadavg().map((x) => Math.round(x * 100) / 100);
  report.targets = targets(report);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.stdout.write(`\n${markdown(report)}\n`);
  const cost = report.sections?.cost as Parameters<typeof costMarkdown>[0] | null | undefined;
  if (cost) process.stdout.write(`${costMarkdown(cost)}\n`);
  const outage = report.sections?.outage as OutageReport | undefined;
  if (outage) process.stdout.write(`\n${outageMarkdown(outage)}\n`);
  if (o.json) {
    writeFileSync(o.json, JSON.stringify(toJson(report), null, 2) + '\n');
    log(`figures written to ${o.json}`);
  }
  return 0;
}

process.once('SIGINT', () => {
  NodeChild.killAll();
  process.exit(130);
});

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    NodeChild.killAll();
    process.exit(1);
  },
);
