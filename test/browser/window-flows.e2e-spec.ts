/**
 * The browser flows in headless Chromium (playwright-core): the demo page at /demo loads the
 * sandbox's iamport.js, verifies a person in the popup and in the redirect flow (mobile), and
 * signs up; a second browser cannot claim the result; a late claim is 410; min_age refuses a
 * minor in the window and the signup's age policy refuses one forced past it. Writes the
 * README's screenshots to docs/img/. The last block runs the demo on PortOne V2 (browser-sdk.js).
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { IamportSandbox } from '../../apps/iamport-sandbox/src/sandbox';
import { startTestApp, type TestApp } from '../support/app';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from '../support/chromium';
import { NO_RATE_LIMITS } from '../support/limits';
import { freshPhone } from '../support/people';
import { SandboxControl } from '../support/sandbox-control';

const unavailable = chromiumMissing();
if (unavailable) process.stdout.write(`\n[browser] window flow tests SKIPPED: ${unavailable}\n`);
const describeWithBrowser = unavailable ? describe.skip : describe;

const IMG = join(process.cwd(), 'docs', 'img');
const MOBILE = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
};

interface WindowPerson {
  name: string;
  birth: string;
  gender_digit: string;
  phone: string;
  carrier: 'SKT' | 'KT' | 'LGT';
}

const adult = (name: string): WindowPerson => ({ name, birth: '900315', gender_digit: '1', phone: freshPhone(), carrier: 'KT' });

async function started(t: { app: TestApp['app'] }): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
}

/** The last JSON answer the demo page shows. */
async function result(page: Page): Promise<{ status: number; body: any }> {
  return JSON.parse((await page.getByTestId('result').textContent()) ?? 'null');
}

async function resultWith(page: Page, status: number): Promise<{ status: number; body: any }> {
  await page.waitForFunction((s) => {
    const text = document.querySelector('[data-testid="result"]')?.textContent ?? '';
    return text.includes(`"status": ${s}`);
  }, status, { timeout: 20_000 });
  return result(page);
}

/** The demo loaded and its flow started (the first answer is the 201 of POST /certifications/window). */
async function openDemo(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/demo`);
  const answer = await resultWith(page, 201);
  expect(answer.body).toEqual({ merchant_uid: expect.stringMatching(/^flow_/), imp_code: 'imp00000000', min_age: 14, expires_at: expect.any(String) });
}

/** Fills the carrier-like form, sends the OTP and reads it from the sandbox-only box. */
async function sendOtp(win: Page, person: WindowPerson): Promise<string> {
  await win.locator('input[name="name"]').fill(person.name);
  await win.locator('input[name="birth"]').fill(person.birth);
  await win.locator('input[name="gender_digit"]').fill(person.gender_digit);
  await win.locator('select[name="carrier"]').selectOption(person.carrier);
  await win.locator('input[name="phone"]').fill(person.phone);
  await win.getByTestId('send-otp').click();
  const box = win.getByTestId('sandbox-otp');
  await box.waitFor({ state: 'visible' });
  return (await box.locator('strong').textContent())!;
}

async function popupOf(page: Page): Promise<Page> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('verify-popup').click()]);
  await popup.waitForURL(/\/v1\/certification$/);
  await popup.getByTestId('send-otp').waitFor();
  return popup;
}

/** Every URL the context requested, to look for personal data. */
function recordUrls(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on('request', (r) => urls.push(r.url()));
  return urls;
}

function expectNoPersonalData(urls: string[], person: WindowPerson): void {
  const values = [person.name, encodeURIComponent(person.name), person.phone, person.birth];
  expect(urls.filter((u) => values.some((v) => u.includes(v)))).toEqual([]);
}

describeWithBrowser('browser verification flows, in headless Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let control: SandboxControl;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...NO_RATE_LIMITS, DEMO_PAGE: 'true', IAMPORT_IMP_CODE: 'imp00000000' } });
    base = await started(t);
    control = new SandboxControl(t.sandboxUrl);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('popup: the window verifies the person, the callback claims it, the signup answers 201', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const urls = recordUrls(context);
    const page = await context.newPage();
    await openDemo(page, base);
    const merchantUid = (await result(page)).body.merchant_uid;
    const person = adult('김하늘');

    const popup = await popupOf(page);
    expect(popup.url()).toBe(`${t.sandboxUrl}/v1/certification`);
    const otp = await sendOtp(popup, person);
    expect(otp).toMatch(/^\d{6}$/);
    expect(await control.latestOtp(person.phone)).toBe(otp);
    await popup.locator('input[name="otp"]').fill(otp);
    await popup.screenshot({ path: join(IMG, 'certification-window.png') });
    await Promise.all([popup.waitForEvent('close'), popup.getByTestId('confirm-otp').click()]);

    const claimed = await resultWith(page, 200);
    expect(claimed.body).toMatchObject({ status: 'verified', name: '김*늘', birthday: '1990-03-15' });
    const upstream = await control.certification<{ merchant_uid: string; certified: boolean }>(claimed.body.imp_uid);
    expect(upstream.body.response).toMatchObject({ merchant_uid: merchantUid, certified: true });
    await expect(page.getByTestId('verified').textContent()).resolves.toContain('김*늘');

    await page.getByTestId('signup').click();
    const signup = await resultWith(page, 201);
    expect(signup.body).toMatchObject({ id: expect.any(String) });
    await page.screenshot({ path: join(IMG, 'demo-page.png'), fullPage: true });

    const cookies = await context.cookies(base);
    const flowCookie = cookies.find((c) => c.name === `certflow_${merchantUid}`)!;
    expect(flowCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
    expectNoPersonalData(urls, person);
    await context.close();
  });

  it('redirect (mobile viewport): the page goes to the window and back to m_redirect_url, then signs up (201)', async () => {
    const context = await browser.newContext(MOBILE);
    const urls = recordUrls(context);
    const page = await context.newPage();
    await openDemo(page, base);
    const person = adult('이바다');

    await Promise.all([page.waitForURL(`${t.sandboxUrl}/v1/certification`), page.getByTestId('verify-redirect').click()]);
    const otp = await sendOtp(page, person);
    await page.locator('input[name="otp"]').fill(otp);
    await page.screenshot({ path: join(IMG, 'certification-window-mobile.png') });
    await Promise.all([page.waitForURL(/\/demo/), page.getByTestId('confirm-otp').click()]);

    const claimed = await resultWith(page, 200);
    expect(claimed.body).toMatchObject({ status: 'verified', name: '이*다' });
    // back on the demo with the answer taken out of the URL (history, Referer)
    expect(page.url()).toBe(`${base}/demo`);
    const back = urls.find((u) => u.startsWith(`${base}/demo?`))!;
    expect(Object.fromEntries(new URL(back).searchParams)).toEqual({ imp_uid: claimed.body.imp_uid, merchant_uid: expect.stringMatching(/^flow_/), success: 'true' });

    await page.getByTestId('signup').click();
    expect((await resultWith(page, 201)).body).toMatchObject({ id: expect.any(String) });
    expectNoPersonalData(urls, person);
    await context.close();
  });

  it('a second browser that learns the imp_uid cannot claim it (403 FLOW_MISMATCH); the first one can', async () => {
    const owner = await browser.newContext();
    const page = await owner.newPage();
    await openDemo(page, base);
    // hold the owner's claim until the stranger has tried
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let learned: string | null = null;
    await page.route('**/certifications', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      learned = JSON.parse(route.request().postData() ?? '{}').imp_uid;
      await held;
      await route.continue();
    });
    const popup = await popupOf(page);
    const otp = await sendOtp(popup, adult('박노을'));
    await popup.locator('input[name="otp"]').fill(otp);
    await popup.getByTestId('confirm-otp').click();
    for (let i = 0; i < 100 && learned === null; i++) await new Promise((r) => setTimeout(r, 100));
    expect(learned).toMatch(/^imp_/);

    const stranger = await browser.newContext();
    const other = await stranger.newPage();
    await openDemo(other, base);
    const attempt = await other.evaluate(async (impUid) => {
      const res = await fetch('/certifications', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ imp_uid: impUid }) });
      return { status: res.status, body: await res.json() };
    }, learned!);
    expect(attempt).toMatchObject({ status: 403, body: { error: { code: 'FLOW_MISMATCH' } } });
    const redirect = await other.evaluate(async (impUid) => {
      const res = await fetch(`/certifications/redirect?imp_uid=${impUid}&success=true`, { redirect: 'manual' });
      return res.type;
    }, learned!);
    expect(redirect).toBe('opaqueredirect');

    release();
    expect((await resultWith(page, 200)).body).toMatchObject({ imp_uid: learned, status: 'verified' });
    await stranger.close();
    await owner.close();
  });

  it('min_age: the window refuses a minor; forced past it, the signup refuses by the age policy (403 AGE_RESTRICTED)', async () => {
    const minor: WindowPerson = { name: '최어린', birth: '150505', gender_digit: '3', phone: freshPhone(), carrier: 'SKT' };
    const context = await browser.newContext();
    const page = await context.newPage();
    await openDemo(page, base);
    const popup = await popupOf(page);
    await popup.locator('input[name="name"]').fill(minor.name);
    await popup.locator('input[name="birth"]').fill(minor.birth);
    await popup.locator('input[name="gender_digit"]').fill(minor.gender_digit);
    await popup.locator('input[name="phone"]').fill(minor.phone);
    await Promise.all([popup.waitForEvent('close'), popup.getByTestId('send-otp').click()]);
    await expect(page.getByTestId('message').textContent()).resolves.toMatch(/최소 나이.*\(MIN_AGE\)/);
    await expect(control.latestOtp(minor.phone)).rejects.toThrow(/no OTP/);

    // A page that leaves min_age out: the window lets the minor through, the signup does not.
    const forced = await browser.newContext();
    const page2 = await forced.newPage();
    await page2.route('**/certifications/window', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), min_age: null } });
    });
    await page2.goto(`${base}/demo`);
    expect((await resultWith(page2, 201)).body.min_age).toBeNull();
    const popup2 = await popupOf(page2);
    const otp = await sendOtp(popup2, minor);
    await popup2.locator('input[name="otp"]').fill(otp);
    await Promise.all([popup2.waitForEvent('close'), popup2.getByTestId('confirm-otp').click()]);
    await resultWith(page2, 200);
    await page2.getByTestId('signup').click();
    expect((await resultWith(page2, 403)).body.error).toMatchObject({ code: 'AGE_RESTRICTED', details: { min_age: 14 } });
    await forced.close();
    await context.close();
  });

  it('a wrong OTP and a carrier refusal stay in the window; closing it answers success: false with the cancel message', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await openDemo(page, base);
    const popup = await popupOf(page);
    const windowError = (text: string) =>
      popup.waitForFunction((t) => document.querySelector('[data-testid="window-error"]')?.textContent === t, text);
    const otp = await sendOtp(popup, adult('정구름'));
    await popup.locator('input[name="otp"]').fill(otp === '000000' ? '111111' : '000000');
    await popup.getByTestId('confirm-otp').click();
    await windowError('인증번호가 일치하지 않습니다.');
    await popup.locator('input[name="phone"]').fill('010-5555-0000');
    await popup.getByTestId('send-otp').click();
    await windowError('본인인증 대상자 정보가 올바르지 않습니다.');
    await popup.close();
    await page.waitForFunction(() => (document.querySelector('[data-testid="message"]')?.textContent ?? '').includes('F1002'));
    expect(await page.getByTestId('message').textContent()).toBe('Not verified: 사용자가 본인인증을 취소하였습니다. (F1002)');
    // nothing was claimed: the last answer is still the start of the flow
    expect((await result(page)).status).toBe(201);
    await context.close();
  });
});

describeWithBrowser('a claim after the claim window, in headless Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...NO_RATE_LIMITS, DEMO_PAGE: 'true', IAMPORT_IMP_CODE: 'imp00000000', CERTIFICATION_CLAIM_WINDOW_SECONDS: '2' } });
    base = await started(t);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('answers 410 FLOW_EXPIRED when the callback claims more than CERTIFICATION_CLAIM_WINDOW_SECONDS after certified_at', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route('**/certifications', async (route) => {
      if (route.request().method() === 'POST') await new Promise((r) => setTimeout(r, 3500));
      await route.continue();
    });
    await openDemo(page, base);
    const popup = await popupOf(page);
    const otp = await sendOtp(popup, adult('한겨울'));
    await popup.locator('input[name="otp"]').fill(otp);
    await Promise.all([popup.waitForEvent('close'), popup.getByTestId('confirm-otp').click()]);
    expect((await resultWith(page, 410)).body.error.code).toBe('FLOW_EXPIRED');
    expect(await page.getByTestId('verified').isHidden()).toBe(true);
    await context.close();
  });
});

describeWithBrowser('browser verification flows on PortOne V2 (browser-sdk.js), in headless Chromium', () => {
  const SECRET = 'browser_portone_secret';
  let sandbox: IamportSandbox;
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let control: SandboxControl;
  /** The sandbox's V2 view of a verification, as the api's GET sees it. */
  const upstreamV2 = async (id: string) => {
    const res = await fetch(`${t.sandboxUrl}/identity-verifications/${encodeURIComponent(id)}`, { headers: { authorization: `PortOne ${SECRET}` } });
    return (await res.json()) as { status: string; failure?: { pgCode: string } };
  };

  beforeAll(async () => {
    sandbox = new IamportSandbox({ logger: { log: () => undefined }, portoneApiSecret: SECRET });
    const url = await sandbox.listen(0);
    t = await startTestApp({
      sandbox,
      env: { ...NO_RATE_LIMITS, DEMO_PAGE: 'true', IDENTITY_PROVIDER: 'portone', PORTONE_BASE_URL: url, PORTONE_API_SECRET: SECRET, PORTONE_STORE_ID: 'store-sandbox', PORTONE_CHANNEL_KEY: 'channel-key-sandbox' },
    });
    base = await started(t);
    control = new SandboxControl(t.sandboxUrl);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sandbox?.close();
  });

  /** The demo on V2: it loads browser-sdk.js and its flow start names the verification. */
  async function openDemoV2(page: Page): Promise<string> {
    const scripts: string[] = [];
    page.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(r.url()); });
    await page.goto(`${base}/demo`);
    const answer = await resultWith(page, 201);
    expect(answer.body).toMatchObject({ provider: 'portone', imp_uid: `identity-verification-${answer.body.merchant_uid}`, store_id: 'store-sandbox', min_age: 14 });
    expect(scripts).toContain(`${t.sandboxUrl}/v2/browser-sdk.js`);
    expect(await page.getByTestId('provider').getAttribute('data-provider')).toBe('portone');
    return answer.body.imp_uid;
  }

  it('popup: PortOne.requestIdentityVerification resolves, the page claims it (VERIFIED upstream), the signup answers 201', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const urls = recordUrls(context);
    const page = await context.newPage();
    const id = await openDemoV2(page);
    const person = adult('서가람');
    const popup = await popupOf(page);
    const otp = await sendOtp(popup, person);
    await popup.locator('input[name="otp"]').fill(otp);
    await Promise.all([popup.waitForEvent('close'), popup.getByTestId('confirm-otp').click()]);

    const claimed = await resultWith(page, 200);
    expect(claimed.body).toMatchObject({ imp_uid: id, status: 'verified', name: '서*람', birthday: '1990-03-15', provider: 'portone' });
    expect((await upstreamV2(id)).status).toBe('VERIFIED');
    await page.getByTestId('signup').click();
    expect((await resultWith(page, 201)).body).toMatchObject({ id: expect.any(String) });
    expectNoPersonalData(urls, person);
    await context.close();
  });

  it('redirect (mobile viewport): windowType REDIRECTION goes to the window and back to redirectUrl with identityVerificationId, then signs up', async () => {
    const context = await browser.newContext(MOBILE);
    const urls = recordUrls(context);
    const page = await context.newPage();
    const id = await openDemoV2(page);
    const person = adult('윤새벽');
    await Promise.all([page.waitForURL(`${t.sandboxUrl}/v1/certification`), page.getByTestId('verify-redirect').click()]);
    const otp = await sendOtp(page, person);
    await page.locator('input[name="otp"]').fill(otp);
    await Promise.all([page.waitForURL(/\/demo/), page.getByTestId('confirm-otp').click()]);

    const claimed = await resultWith(page, 200);
    expect(claimed.body).toMatchObject({ imp_uid: id, status: 'verified', name: '윤*벽', provider: 'portone' });
    expect(page.url()).toBe(`${base}/demo`);
    const back = urls.find((u) => u.startsWith(`${base}/demo?`))!;
    expect(Object.fromEntries(new URL(back).searchParams)).toEqual({
      transactionType: 'IDENTITY_VERIFICATION',
      identityVerificationId: id,
      identityVerificationTxId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    await page.getByTestId('signup').click();
    expect((await resultWith(page, 201)).body).toMatchObject({ id: expect.any(String) });
    expectNoPersonalData(urls, person);
    await context.close();
  });

  it('bypass.danal.AGELIMIT: the window refuses a minor (no SMS, FAILED upstream); the page reports MIN_AGE', async () => {
    const minor: WindowPerson = { name: '강아기', birth: '150505', gender_digit: '3', phone: freshPhone(), carrier: 'SKT' };
    const context = await browser.newContext();
    const page = await context.newPage();
    const id = await openDemoV2(page);
    const popup = await popupOf(page);
    await popup.locator('input[name="name"]').fill(minor.name);
    await popup.locator('input[name="birth"]').fill(minor.birth);
    await popup.locator('input[name="gender_digit"]').fill(minor.gender_digit);
    await popup.locator('input[name="phone"]').fill(minor.phone);
    await Promise.all([popup.waitForEvent('close'), popup.getByTestId('send-otp').click()]);
    await page.waitForFunction(() => (document.querySelector('[data-testid="message"]')?.textContent ?? '').includes('MIN_AGE'));
    expect(await page.getByTestId('message').textContent()).toBe('Not verified: 본인인증 허용 최소 나이(AGELIMIT) 미만입니다. (MIN_AGE)');
    await expect(control.latestOtp(minor.phone)).rejects.toThrow(/no OTP/);
    expect(await upstreamV2(id)).toMatchObject({ status: 'FAILED', failure: { pgCode: 'AGELIMIT' } });
    await context.close();
  });
});
