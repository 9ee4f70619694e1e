/**
 * The embedded mode's DATA_DIR on the compiled api: created 0700 with the generated key file
 * 0600; a key file others may read stops the next boot with a message that says how to fix it.
 */
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNode, type Proc } from '../support/processes';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('DATA_DIR and the generated PII keys', () => {
  let root: string;
  let proc: Proc | undefined;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'iamport-data-dir-'));
  });
  afterAll(() => {
    if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  async function boot(dataDir: string): Promise<Proc> {
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'development', PORT: String(await freePort()), DATA_DIR: dataDir, LOG_FORMAT: 'json' };
    for (const k of ['DATABASE_URL', 'IAMPORT_IMP_KEY', 'IAMPORT_IMP_SECRET', 'PII_ENCRYPTION_KEYS', 'PII_HMAC_KEY', 'REDIS_URL', 'METRICS_PORT']) env[k] = '';
    return startNode('dist/apps/api/src/main.js', env);
  }

  it('creates DATA_DIR 0700 and pii-keys.json 0600; refuses the key file once it is 0644, before opening the database', async () => {
    const dataDir = join(root, 'data');
    proc = await boot(dataDir);
    // the keys are resolved first, before the embedded database opens
    const deadline = Date.now() + 60000;
    while (!proc.output().includes('Generated PII keys') && proc.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'pii-keys.json'))).toBe(0o600);
    proc.child.kill('SIGKILL');
    await proc.exited;

    chmodSync(join(dataDir, 'pii-keys.json'), 0o644);
    proc = await boot(dataDir);
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain(`pii-keys.json has mode 0644: other users may read the PII keys; run chmod 600 ${join(dataDir, 'pii-keys.json')}`);
    expect(proc.output()).not.toContain('Embedded PostgreSQL');
  }, 120000);
});
