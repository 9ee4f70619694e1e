/**
 * The compiled api and sandbox started as an operator would, with NODE_ENV=production and
 * development settings: both refuse to boot, the api with every reason at once.
 */
import { freePort, startNode } from '../support/processes';

const CLEARED = ['DATABASE_URL', 'IAMPORT_IMP_KEY', 'IAMPORT_IMP_SECRET', 'IAMPORT_BASE_URL', 'PII_ENCRYPTION_KEYS', 'PII_HMAC_KEY', 'REDIS_URL', 'ALLOW_INSECURE_UPSTREAM'];

function cleared(): NodeJS.ProcessEnv {
  return Object.fromEntries(CLEARED.map((k) => [k, '']));
}

describe('NODE_ENV=production', () => {
  it('the api refuses the sandbox credentials, an http upstream, the embedded database and generated keys, all in one message', async () => {
    const proc = startNode('dist/apps/api/src/main.js', {
      ...cleared(),
      NODE_ENV: 'production',
      PORT: String(await freePort()),
      IAMPORT_IMP_KEY: 'sandbox_imp_key',
      IAMPORT_IMP_SECRET: 'sandbox_imp_secret',
      IAMPORT_BASE_URL: 'http://127.0.0.1:4010',
    });
    expect(await proc.exited).toBe(1);
    const out = proc.output();
    expect(out).toContain("IAMPORT_IMP_KEY / IAMPORT_IMP_SECRET are the sandbox's credentials");
    expect(out).toContain('IAMPORT_BASE_URL must be an https: URL when NODE_ENV=production');
    expect(out).toContain('DATABASE_URL is required when NODE_ENV=production');
    expect(out).toContain('PII_ENCRYPTION_KEYS and PII_HMAC_KEY are required when NODE_ENV=production');
    expect(out).not.toContain('listening');
  }, 30000);

  it('the sandbox refuses to start', async () => {
    const proc = startNode('dist/apps/iamport-sandbox/src/main.js', { NODE_ENV: 'production', SANDBOX_PORT: String(await freePort()) });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('refusing to run with NODE_ENV=production');
    expect(proc.output()).not.toContain('listening');
  }, 30000);

  it('the sandbox still starts outside production', async () => {
    const proc = startNode('dist/apps/iamport-sandbox/src/main.js', { NODE_ENV: 'development', SANDBOX_PORT: String(await freePort()) });
    const deadline = Date.now() + 20000;
    while (!proc.output().includes('listening') && proc.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(proc.output()).toContain('listening');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 30000);
});
