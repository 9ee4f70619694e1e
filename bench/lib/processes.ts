import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A free loopback TCP port (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resident set size of a process in bytes, from /proc (Linux); null elsewhere or when gone. */
export function rssBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `everyMs` and keeps the peak (of the window since `resetPeak`). */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  peak = 0;
  last = 0;

  constructor(private readonly pid: number, private readonly everyMs = 100) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    return this;
  }

  resetPeak(): void {
    this.peak = 0;
    this.sample();
  }

  sample(): void {
    const rss = rssBytes(this.pid);
    if (rss !== null) {
      this.last = rss;
      if (rss > this.peak) this.peak = rss;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** A node child process with its output kept (the last lines) for error reports. */
export class NodeChild {
  /** Every child still running, so the bench can stop them all on an error or a signal. */
  static readonly running = new Set<NodeChild>();

  static killAll(): void {
    for (const c of NodeChild.running) c.child.kill('SIGKILL');
  }

  readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private exited = false;
  exitCode: number | null = null;

  constructor(readonly name: string, script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []) {
    this.child = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.tail.push(line);
        if (this.tail.length > 60) this.tail.shift();
      }
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    NodeChild.running.add(this);
    this.child.once('exit', (code) => {
      NodeChild.running.delete(this);
      this.exited = true;
      this.exitCode = code;
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return !this.exited;
  }

  output(): string {
    return this.tail.join('\n');
  }

  /** Polls GET `url` until it answers 2xx, the process exits, or `timeoutMs` passes. */
  async waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`${this.name} exited (${this.exitCode}) before it was ready:\n${this.output()}`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
        if (res.ok) {
          await res.arrayBuffer();
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.output()}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    const done = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.alive) this.child.kill('SIGKILL');
    }, graceMs);
    await done;
    clearTimeout(timer);
  }
}

const CLK_TCK = 100; // USER_HZ on Linux

/** CPU time (user + system) of a process in ms, from /proc/<pid>/stat; null when unreadable. */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] = utime, fields[12] = stime (the 14th and 15th of the whole line)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/** The pid of every process in /proc (Linux); null where there is no /proc. */
export function procPids(): number[] | null {
  try {
    return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
  } catch {
    return null;
  }
}

/**
 * CPU ms of every local `postgres` process (server processes and backends) readable in /proc:
 * the database's share of a load when the server runs on this machine. Null when none is seen
 * (a remote server, or not Linux).
 */
export function postgresCpuMs(): number | null {
  let total = 0;
  let seen = false;
  for (const pid of procPids() ?? []) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm !== 'postgres') continue;
      const ms = cpuMs(pid);
      if (ms !== null) {
        total += ms;
        seen = true;
      }
    } catch {
      // gone meanwhile
    }
  }
  return seen ? total : null;
}
