import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = process.cwd();

/** `npm run pack` into `outDir`: the tarball's path. */
export async function packIdentity(outDir: string): Promise<string> {
  const { stdout } = await run(process.execPath, [join(ROOT, 'scripts', 'pack.mjs'), '--out', outDir], { cwd: ROOT, maxBuffer: 1 << 24 });
  const line = stdout.trim().split('\n').pop() ?? '';
  return line.split(' ')[0];
}

/** The version of a package in this repository's node_modules (the host pins what the tests cover). */
export function repoVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The files of README.md's "Use it in your Nest app": `<!-- host-file: [variant] path -->` then a fenced block. */
export function readmeHostFiles(variant: string): Record<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const files: Record<string, string> = {};
  for (const m of readme.matchAll(/<!-- host-file: (?:(\w+) )?(\S+) -->\n```ts\n([\s\S]*?)```/g)) {
    if (m[1] === undefined || m[1] === variant) files[m[2]] = m[3];
  }
  return files;
}

/** The install command of README.md (`<!-- host-install -->`), its arguments after `npm install`. */
export function readmeInstallArgs(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- host-install -->\n```bash\nnpm install ([^#\n]+)/.exec(readme);
  if (!m) throw new Error('README.md has no <!-- host-install --> block');
  return m[1].trim().split(/\s+/);
}

export async function npm(cwd: string, args: string[]): Promise<void> {
  await run('npm', args, { cwd, maxBuffer: 1 << 24, env: { ...process.env, npm_config_update_notifier: 'false' } });
}

export async function tsc(project: string): Promise<void> {
  await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'lib', 'tsc.js'), '-p', project], { maxBuffer: 1 << 24 }).catch(
    (e: { stdout?: string; message: string }) => {
      throw new Error(`tsc -p ${project} failed:\n${e.stdout ?? e.message}`);
    },
  );
}

export interface HostProcess {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** `node <script> [args]` with `cwd` and `env` (nothing inherited but PATH), its output captured. */
export function startIn(cwd: string, script: string, env: Record<string, string>, args: string[] = []): HostProcess {
  const child = spawn(process.execPath, [script, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Polls until `url` answers at all (any status), or throws with the process output. */
export async function waitForHttp(url: string, proc: HostProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`the host exited early:\n${proc.output()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms\n${proc.output()}`);
}
