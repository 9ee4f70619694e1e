import { readFileSync } from 'node:fs';
import { cpuMs, procPids, rssBytes } from './processes';

/** Parent pid of every process readable in /proc (Linux); empty elsewhere. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of procPids() ?? []) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // fields after "(comm) ": state ppid ...
      out.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** `root` and every process below it that is alive now. */
export function processTree(root: number): number[] {
  const ppid = parents();
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, parent] of ppid) if (parent === tree[i]) tree.push(pid);
  return tree.filter((p) => p === root || ppid.has(p));
}

/** The children (and their descendants) of `root`, without `root` itself. */
export function descendants(root: number): number[] {
  return processTree(root).slice(1);
}

/**
 * Samples the summed RSS of a set of processes found afresh each time (a process tree: the api
 * and the processes it started), keeping the peak of the sum and of the count of processes.
 * RSS sums count pages shared between processes (node's own text) twice: an upper bound.
 */
export class TreeRssSampler {
  private timer: NodeJS.Timeout | null = null;
  peak = 0;
  last = 0;
  peakProcesses = 0;

  constructor(private readonly pids: () => number[], private readonly everyMs = 50) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    return this;
  }

  resetPeak(): void {
    this.peak = 0;
    this.peakProcesses = 0;
    this.sample();
  }

  sample(): void {
    const pids = this.pids();
    let sum = 0;
    for (const p of pids) sum += rssBytes(p) ?? 0;
    this.last = sum;
    if (sum > this.peak) this.peak = sum;
    if (pids.length > this.peakProcesses) this.peakProcesses = pids.length;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** CPU ms of each process of a tree, by pid (for deltas over a window in which none exits). */
export function treeCpuMs(root: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of processTree(root)) {
    const ms = cpuMs(p);
    if (ms !== null) out.set(p, ms);
  }
  return out;
}
