import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNode, waitForOk, type Proc } from '../support/processes';

/**
 * `npm start` on its embedded defaults (no DATABASE_URL, no upstream keys): the launcher runs
 * the sandbox and the api (PGlite in-process, keys generated into DATA_DIR), both answer, and
 * SIGTERM stops both with exit code 0. Runs the compiled launcher, as `npm start` does.
 */
const EMBEDDED_ENV = ['DATABASE_URL', 'IAMPORT_IMP_KEY', 'IAMPORT_IMP_SECRET', 'IAMPORT_BASE_URL', 'PII_ENCRYPTION_KEYS', 'PII_HMAC_KEY', 'REDIS_URL'];

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
    for (const k of EMBEDDED_ENV) env[k] = '';
    proc = startNode('dist/scripts/start.js', env);
    await waitForOk(`http://127.0.0.1:${sandboxPort}/__sandbox/health`, 30000, proc);
    await waitForOk(`http://127.0.0.1:${port}/health/live`, 60000, proc);
    expect(existsSync(join(dataDir, 'pii-keys.json'))).toBe(true);
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 120000);
});

/**
 * `IDENTITY_PROVIDER=portone npm start`: the README's curl walk-through (OTP request, the SMS from
 * the sandbox inbox, confirm, signup) on the sandbox's V2, and the demo page and window start on V2.
 */
describe('IDENTITY_PROVIDER=portone npm start (embedded defaults)', () => {
  let dataDir: string;
  let proc: Proc | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'iamport-start-v2-'));
  });
  afterAll(() => {
    if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the README walk-through on PortOne V2, serves the V2 demo, then stops cleanly', async () => {
    const port = await freePort();
    const sandboxPort = await freePort();
    const env: NodeJS.ProcessEnv = { PORT: String(port), SANDBOX_PORT: String(sandboxPort), DATA_DIR: dataDir, IDENTITY_PROVIDER: 'portone' };
    for (const k of [...EMBEDDED_ENV, 'PORTONE_API_SECRET', 'PORTONE_BASE_URL', 'PORTONE_STORE_ID', 'PORTONE_CHANNEL_KEY']) env[k] = '';
    proc = startNode('dist/scripts/start.js', env);
    const api = `http://127.0.0.1:${port}`;
    const sandbox = `http://127.0.0.1:${sandboxPort}`;
    await waitForOk(`${sandbox}/__sandbox/health`, 30000, proc);
    await waitForOk(`${api}/health/live`, 60000, proc);
    const post = (path: string, body?: unknown) =>
      fetch(`${api}${path}`, { method: 'POST', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

    const requested = await post('/certifications/otp/request', { name: '홍길동', phone: '010-1234-5678', birth: '1990-01-01', gender_digit: '1', carrier: 'SKT' });
    expect(requested.status).toBe(201);
    const { imp_uid: impUid, provider } = (await requested.json()) as { imp_uid: string; provider: string };
    expect(provider).toBe('portone');
    expect(impUid).toMatch(/^identity-verification-/);
    const inbox = (await (await fetch(`${sandbox}/__sandbox/inbox?phone=01012345678`)).json()) as { messages: Array<{ imp_uid: string; otp: string }> };
    const sms = inbox.messages.find((m) => m.imp_uid === impUid);
    expect(sms?.otp).toMatch(/^\d{6}$/);
    const confirmed = await post(`/certifications/otp/confirm/${impUid}`, { otp: sms!.otp });
    expect(confirmed.status).toBe(200);
    const view = (await confirmed.json()) as { verification_token: string; provider: string; status: string };
    expect(view).toMatchObject({ status: 'verified', provider: 'portone' });
    const signup = await post('/users', { verification_token: view.verification_token });
    expect(signup.status).toBe(201);

    const demo = await fetch(`${api}/demo`);
    expect(demo.status).toBe(200);
    expect(await demo.text()).toContain('/v2/browser-sdk.js');
    expect((await fetch(`${sandbox}/v2/browser-sdk.js`)).status).toBe(200);
    const window = await post('/certifications/window');
    expect(window.status).toBe(201);
    expect(await window.json()).toMatchObject({ provider: 'portone', imp_uid: expect.stringMatching(/^identity-verification-flow_/) });

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 120000);
});
