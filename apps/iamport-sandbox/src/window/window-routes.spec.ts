import { SandboxClock } from '../clock';
import type { SandboxContext } from '../context';
import { FaultRegistry } from '../faults';
import { SandboxStore, toView } from '../store';
import { TokenStore } from '../tokens';
import { handleWindow } from './window-routes';
import { DEFAULT_V2_SETTINGS, V2State } from '../v2/state';
import { WindowSessions, WINDOW_SESSION_TTL_SECONDS } from './window-session';

function setup() {
  const clock = new SandboxClock();
  const store = new SandboxStore();
  const ctx: SandboxContext = {
    v2: new V2State(DEFAULT_V2_SETTINGS),
    store,
    tokens: new TokenStore(clock),
    faults: new FaultRegistry(),
    clock,
    settings: { impKey: 'k', impSecret: 's', otpTtlSeconds: 180, merchantId: 'imp00000000' },
    reset: () => undefined,
  };
  const sessions = new WindowSessions();
  const call = (path: string, body: Record<string, unknown> = {}, method = 'POST') => handleWindow(ctx, sessions, method, path, body)!;
  /** Opens a window and answers its session id (read from the page, as its script does). */
  const open = (fields: Record<string, unknown> = {}) => {
    const page = call('/v1/certification', { merchant_uid: 'flow_test', origin: 'http://127.0.0.1:3000', ...fields });
    const session = /"session":"([A-Za-z0-9_-]+)"/.exec(page.body)?.[1];
    return { page, session: session! };
  };
  const person = { name: '김영희', birth: '950505', gender_digit: '2', phone: '010-2222-3333', carrier: 'KT' };
  return { ctx, store, clock, call, open, person };
}

describe('the certification window', () => {
  it('serves iamport.js defining IMP.init and IMP.certification', () => {
    const t = setup();
    const script = t.call('/v1/iamport.js', {}, 'GET');
    expect(script.contentType).toMatch(/^application\/javascript/);
    expect(script.body).toContain('window.IMP = {');
    expect(script.body).toContain('certification: certification');
  });

  it('renders the form with the named inputs, prefilled and escaped, and the sandbox-only box', () => {
    const t = setup();
    const { page } = t.open({ name: '<b>"김"</b>', phone: '01011112222', carrier: 'KTF' });
    for (const name of ['name', 'birth', 'gender_digit', 'phone', 'carrier', 'otp']) expect(page.body).toContain(`name="${name}"`);
    for (const id of ['send-otp', 'confirm-otp', 'sandbox-otp']) expect(page.body).toContain(`data-testid="${id}"`);
    expect(page.body).toContain('value="&lt;b&gt;&quot;김&quot;&lt;/b&gt;"');
    expect(page.body).toContain('<option value="KT" selected>');
    expect(page.body).not.toContain('<b>"김"</b>');
  });

  it('refuses a window without merchant_uid, and a redirect without m_redirect_url', () => {
    const t = setup();
    expect(t.call('/v1/certification', {}).status).toBe(400);
    expect(t.call('/v1/certification', { merchant_uid: 'flow_x', mode: 'redirect' }).status).toBe(400);
  });

  it('sends the OTP (also to the inbox) and certifies the person for the merchant_uid with CI and DI', () => {
    const t = setup();
    const { session } = t.open();
    const sent = t.call('/v1/certification/otp', { session, ...t.person });
    const { imp_uid: impUid, sandbox_otp: otp } = JSON.parse(sent.body);
    expect(t.store.inbox('01022223333')[0]).toMatchObject({ imp_uid: impUid, otp });
    expect(toView(t.store.get(impUid)!).certified).toBe(false);
    const wrong = t.call('/v1/certification/confirm', { session, otp: otp === '000000' ? '111111' : '000000' });
    expect(JSON.parse(wrong.body)).toEqual({ message: '인증번호가 일치하지 않습니다.' });
    const done = t.call('/v1/certification/confirm', { session, otp });
    expect(JSON.parse(done.body)).toEqual({ imp_uid: impUid, merchant_uid: 'flow_test' });
    const view = toView(t.store.get(impUid)!);
    expect(view).toMatchObject({ merchant_uid: 'flow_test', certified: true, birthday: '1995-05-05', origin: 'http://127.0.0.1:3000' });
    expect(view.unique_key).toEqual(expect.any(String));
    expect(view.unique_in_site).toEqual(expect.any(String));
  });

  it('refuses a person under min_age before any SMS, a carrier refusal, and an expired OTP', () => {
    const t = setup();
    const minor = t.open({ min_age: '19' });
    const refused = t.call('/v1/certification/otp', { session: minor.session, ...t.person, birth: '100505', gender_digit: '3' });
    expect(JSON.parse(refused.body)).toEqual({ message: '본인인증 허용 최소 나이(min_age) 미만입니다.', error_code: 'MIN_AGE' });
    expect(t.store.stats().sms_sent).toBe(0);
    expect(t.call('/v1/certification/otp', { session: minor.session, ...t.person }).status).toBe(200);

    const { session } = t.open();
    expect(JSON.parse(t.call('/v1/certification/otp', { session, ...t.person, phone: '010-1234-0000' }).body).message).toBe('본인인증 대상자 정보가 올바르지 않습니다.');
    const { sandbox_otp: otp } = JSON.parse(t.call('/v1/certification/otp', { session, ...t.person }).body);
    t.clock.advance(181);
    expect(JSON.parse(t.call('/v1/certification/confirm', { session, otp }).body).message).toBe('인증번호 입력 시간이 초과되었습니다. 본인인증을 다시 요청해주세요.');
    t.clock.advance(WINDOW_SESSION_TTL_SECONDS);
    expect(JSON.parse(t.call('/v1/certification/otp', { session, ...t.person }).body).message).toBe('본인인증 창의 세션이 없거나 만료되었습니다.');
  });
});

describe('the certification window for PortOne V2 (browser-sdk.js)', () => {
  const openV2 = (t: ReturnType<typeof setup>, fields: Record<string, unknown> = {}) =>
    t.open({ merchant_uid: undefined, version: 'v2', identity_verification_id: 'identity-verification-w1', store_id: 'store-sandbox', channel_key: 'channel-key-sandbox', ...fields });

  it('serves browser-sdk.js defining PortOne.requestIdentityVerification', () => {
    const script = setup().call('/v2/browser-sdk.js', {}, 'GET');
    expect(script.contentType).toMatch(/^application\/javascript/);
    expect(script.body).toContain('window.PortOne = { requestIdentityVerification: requestIdentityVerification }');
  });

  it('leaves the verification VERIFIED in the V2 state, with CI and DI as for the same person on V1, and NOT_SENT for the API', () => {
    const t = setup();
    const { session, page } = openV2(t);
    expect(page.body).toContain('"version":"v2"');
    const sent = JSON.parse(t.call('/v1/certification/otp', { session, ...t.person }).body);
    expect(sent.imp_uid).toBe('identity-verification-w1');
    expect(t.store.inbox('01022223333')[0]).toMatchObject({ imp_uid: 'identity-verification-w1', otp: sent.sandbox_otp });
    const pending = t.ctx.v2.verifications.get('identity-verification-w1')!;
    expect(pending).toMatchObject({ status: 'READY', sent: false, operator: 'KT' });
    expect(JSON.parse(t.call('/v1/certification/confirm', { session, otp: sent.sandbox_otp === '000000' ? '111111' : '000000' }).body).message).toBe('인증번호가 일치하지 않습니다.');
    expect(JSON.parse(t.call('/v1/certification/confirm', { session, otp: sent.sandbox_otp }).body)).toEqual({ imp_uid: 'identity-verification-w1' });
    const verified = t.ctx.v2.verifications.get('identity-verification-w1')!;
    expect(verified.status).toBe('VERIFIED');

    const v1 = t.open();
    const v1Sent = JSON.parse(t.call('/v1/certification/otp', { session: v1.session, ...t.person }).body);
    t.call('/v1/certification/confirm', { session: v1.session, otp: v1Sent.sandbox_otp });
    expect(verified.ci).toBe(t.store.get(v1Sent.imp_uid)!.ci);
    expect(verified.di).toBe(t.store.get(v1Sent.imp_uid)!.di);

    // the same id again: the window reports it verified already, at once
    expect(openV2(t).page.body).toContain('"initialError":{"code":"IDENTITY_VERIFICATION_ALREADY_VERIFIED"');
  });

  it('refuses a person younger than bypass.danal.AGELIMIT (FAILED upstream, no SMS), and a foreign store', () => {
    const t = setup();
    const { session } = openV2(t, { min_age: '19' });
    const refused = t.call('/v1/certification/otp', { session, ...t.person, birth: '100505', gender_digit: '3' });
    expect(JSON.parse(refused.body)).toEqual({ message: '본인인증 허용 최소 나이(AGELIMIT) 미만입니다.', error_code: 'MIN_AGE' });
    expect(t.store.stats().sms_sent).toBe(0);
    expect(t.ctx.v2.verifications.get('identity-verification-w1')).toMatchObject({ status: 'FAILED', failure: { pgCode: 'AGELIMIT' } });
    expect(openV2(t, { store_id: 'store-other', identity_verification_id: 'identity-verification-w2' }).page.body).toContain('"code":"FAILURE_TYPE_INVALID_PARAMETER"');
  });
});
