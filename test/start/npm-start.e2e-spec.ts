import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNode, waitForOk, type Proc } from '../support/processes';

/**
 * `npm start` on its embedded defaults (no DATABASE_URL, no upstream keys): the launcher runs
 * the sandbox and the api (PGlite in-process, keys generated into DATA_DIR), both answer, and
 * SIGTERM stops both with exit code 0. Runs the compiled launcher, as `npm start` does.
 */
describe('npm start (embedded defaults)', () => {
  let dataDir: string;
  let proc: Proc | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'iamport-start-'));
  });
  afterAll(() => {
    if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /health/live and the sandbox, then stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const sandboxPort = await freePort();
    const env: NodeJS.ProcessEnv = { PORT: String(port), SANDBOX_PORT: String(sandboxPort), DATA_DIR: dataDir };
    for (const k of ['DATABASE_URL', 'IAMPORT_IMP_KEY', 'IAMPORT_IMP_SECRET', 'IAMPORT_BASE_URL', 'PII_ENCRYPTION_KEYS', 'PII_HMAC_KEY', 'REDIS_URL']) {
      env[k] = '';
    }
    proc = startNode('dist/scripts/start.js', env);
    await waitForOk(`http://127.0.0.1:${sandboxPort}/__sandbox/health`, 30000, proc);
    await waitForOk(`http://127.0.0.1:${port}/health/live`, 60000, proc);
    expect(existsSync(join(dataDir, 'pii-keys.json'))).toBe(true);
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 120000);
});
