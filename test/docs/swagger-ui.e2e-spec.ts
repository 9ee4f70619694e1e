/**
 * Swagger UI at /docs in headless Chromium (playwright-core): "Try it out" on the OTP request
 * reaches the api (201). Chromium comes from test/docs/install-chromium.sh, or the test is skipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = '/tmp/swagger-ui-otp-request.png';

function say(line: string): void {
  process.stdout.write(`\n[docs] ${line}\n`);
}

/** Installs Chromium when missing (synchronously, while the file is collected); why not, if not. */
function ensureChromium(): string | null {
  if (existsSync(CHROMIUM)) return null;
  say(`${CHROMIUM} is missing: running test/docs/install-chromium.sh (apt-get)`);
  const run = spawnSync('bash', [join(process.cwd(), 'test', 'docs', 'install-chromium.sh')], {
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  if (run.status === 0 && existsSync(CHROMIUM)) return null;
  const output = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ');
  return `install-chromium.sh failed (${run.error ? run.error.message : `exit ${run.status}`}): ${output}`;
}

const unavailable = ensureChromium();
if (unavailable) say(`Swagger UI browser test SKIPPED: ${unavailable}`);
const describeWithBrowser = unavailable ? describe.skip : describe;

describeWithBrowser('Swagger UI at /docs, in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
    page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('runs the OTP request operation against the sandbox with "Try it out" and shows 201', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const phone = `010${String(Date.now() % 100_000_000).padStart(8, '1').replace(/0000$/, '1234')}`;

    await page.goto(`${base}/docs`, { waitUntil: 'load' });
    const operation = page.locator('#operations-certifications-CertificationController_requestOtp');
    await operation.waitFor({ state: 'visible', timeout: 30_000 });
    await operation.locator('.opblock-summary').first().click();
    // The operation's documented answers, with the error codes of the contract.
    await operation.locator('.responses-table').first().waitFor();
    const documented = await operation.locator('.responses-table').first().innerText();
    for (const text of ['201', '422', 'IDENTITY_REJECTED', 'RATE_LIMITED', 'UPSTREAM_UNAVAILABLE']) expect(documented).toContain(text);

    await operation.getByRole('button', { name: 'Try it out' }).click();
    const body = operation.locator('textarea.body-param__text');
    await body.waitFor();
    // Swagger UI pre-fills the documented example; replace it with a person of our own.
    expect(JSON.parse(await body.inputValue())).toMatchObject({ name: '홍길동', phone: '01012345678', carrier: 'SKT' });
    await body.fill(JSON.stringify({ name: '홍길동', phone, birth: '19900101', gender_digit: '1', carrier: 'SKT' }, null, 2));
    await operation.getByRole('button', { name: 'Execute' }).click();

    const status = operation.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 30_000 });
    expect((await status.innerText()).trim()).toBe('201');
    const answer = await operation.locator('.live-responses-table .response .response-col_description pre').first().innerText();
    const { imp_uid: impUid } = JSON.parse(answer) as { imp_uid: string };
    expect(impUid).toMatch(/^imp_/);
    await status.scrollIntoViewIfNeeded();
    await page.screenshot({ path: SCREENSHOT });
    say(`screenshot of the executed operation: ${SCREENSHOT}`);

    // It really went through the api: the sandbox texted that phone, the verification is stored.
    const inbox = (await (await fetch(`${t.sandboxUrl}/__sandbox/inbox?phone=${phone}`)).json()) as { messages: Array<{ imp_uid: string }> };
    expect(inbox.messages.map((m) => m.imp_uid)).toContain(impUid);
    expect(await t.query('SELECT status, flow FROM certifications WHERE imp_uid = $1', [impUid])).toEqual([{ status: 'pending', flow: 'otp' }]);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
