/**
 * `node dist/bench/lib/profile-summary.js FILE.cpuprofile [top]`: self time by function and by
 * package (node_modules/<pkg>, the project's own code, node internals, GC, idle), to see where
 * the api spends its CPU under load.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export function bucketOf(url: string, fn: string): string {
  if (fn === '(garbage collector)') return '(gc)';
  if (fn === '(idle)') return '(idle)';
  if (fn === '(program)') return '(program)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:') || url === '' || !url.includes('/')) return '(node internals)';
  const m = /\/dist\/((apps|libs|bench|migrations)\/[^/]+)/.exec(url);
  return m ? `project:${m[1]}` : url;
}

/**
 * CPU actually spent, by who asked for it: every sample except idle, the socket-write syscalls
 * (on a small VM their "self time" is mostly the process being preempted by the PostgreSQL
 * backend it has just woken: wall time, not work) and module loading at boot, attributed to the
 * first frame up the stack that is not node's own code (so the http client work that axios
 * triggers counts for axios).
 */
function busyByOwner(p: Profile, byId: Map<number, ProfileNode>, self: Map<number, number>): Map<string, number> {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const skip = new Set(['(idle)', 'writev', 'writeBuffer', 'read']);
  const owners = new Map<string, number>();
  for (const [id, us] of self) {
    if (skip.has(byId.get(id)!.callFrame.functionName)) continue;
    const chain: string[] = [];
    let boot = false;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (/^(Module\._load|compileSourceTextModule|loadESMFromCJS)$/.test(f.functionName)) boot = true;
      chain.push(bucketOf(f.url, f.functionName));
    }
    if (boot) continue;
    const owner = chain.find((b) => b !== '(node internals)') ?? '(node internals)';
    owners.set(owner, (owners.get(owner) ?? 0) + us);
  }
  return owners;
}

export function summarize(file: string, top = 30): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fnTimes = new Map<string, number>();
  const pkgTimes = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    const short = url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/');
    const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    fnTimes.set(key, (fnTimes.get(key) ?? 0) + us);
    const b = bucketOf(url, functionName);
    pkgTimes.set(b, (pkgTimes.get(b) ?? 0) + us);
  }
  const pct = (us: number) => ((us / total) * 100).toFixed(1).padStart(5);
  const lines = [`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled`, '', 'self time by package:'];
  for (const [k, v] of [...pkgTimes].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}%  ${k}`);
  const owners = busyByOwner(p, byId, self);
  const busy = [...owners.values()].reduce((a, b) => a + b, 0);
  lines.push('', `busy CPU by owner (${(busy / 1e6).toFixed(1)} s; no idle, socket-write syscalls or boot):`);
  for (const [k, v] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${((v / busy) * 100).toFixed(1).padStart(5)}%  ${k}`);
  }
  lines.push('', 'self time by function:');
  for (const [k, v] of [...fnTimes].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}%  ${k}`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/lib/profile-summary.js FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  process.stdout.write(summarize(file, top ? Number(top) : 30) + '\n');
}
