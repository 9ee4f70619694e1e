/**
 * `npm start`: the api on its embedded defaults. With no IAMPORT_IMP_KEY, the sandbox runs too
 * (as a child process) and the api uses it as upstream, so a whole signup can be walked with
 * curl. Both print where they listen; Ctrl-C (or SIGTERM) stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const dist = join(__dirname, '..'); // dist/scripts -> dist
const children: ChildProcess[] = [];

function run(name: string, script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [join(dist, script)], { stdio: 'inherit', env });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`${name} exited (${signal ?? code}); stopping\n`);
      stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0): void {
  if (stopping) return;
  stopping = true;
  let left = children.filter((c) => c.exitCode === null).length;
  if (left === 0) process.exit(code);
  for (const c of children) {
    if (c.exitCode !== null) continue;
    c.once('exit', () => {
      left -= 1;
      if (left === 0) process.exit(code);
    });
    c.kill('SIGTERM');
  }
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const env = { ...process.env };
if (!env.LOG_PRETTY && process.stdout.isTTY) env.LOG_PRETTY = 'true';
// The sandbox serves V1 and V2: it runs when the chosen provider has no credentials.
const portone = env.IDENTITY_PROVIDER?.trim().toLowerCase() === 'portone';
if (portone ? !env.PORTONE_API_SECRET : !env.IAMPORT_IMP_KEY) {
  const port = env.SANDBOX_PORT ?? '4010';
  run('sandbox', 'apps/iamport-sandbox/src/main.js', { ...env, SANDBOX_PORT: port });
  if (portone) env.PORTONE_BASE_URL ??= `http://127.0.0.1:${port}`;
  else env.IAMPORT_BASE_URL ??= `http://127.0.0.1:${port}`;
}
run('api', 'apps/api/src/main.js', env);
