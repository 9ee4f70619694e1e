/** The sandbox's PortOne V2: tokens (refresh tokens rotate), auth, error bodies, the switches, the clock. */
import { IamportSandbox } from '../../apps/iamport-sandbox/src/sandbox';

const SECRET = 'v2_sandbox_secret';
let sandbox: IamportSandbox;
let base: string;

async function call(method: string, path: string, body?: unknown, auth?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers.authorization = auth;
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const send = (id: string, auth: string, phone = '01098765432') =>
  call('POST', `/identity-verifications/${id}/send`, {
    channelKey: 'channel-key-sandbox',
    customer: { name: '홍길동', phoneNumber: phone, identityNumber: '9001011', ipAddress: '203.0.113.1' },
    operator: 'SKT',
    method: 'SMS',
  }, auth);

beforeAll(async () => {
  sandbox = new IamportSandbox({ portoneApiSecret: SECRET });
  base = await sandbox.listen(0);
});
afterAll(() => sandbox.close());

it('login with the API secret; refresh answers a new pair and spends the old refresh token', async () => {
  expect(await call('POST', '/login/api-secret', { apiSecret: 'wrong' })).toEqual({ status: 401, body: { type: 'UNAUTHORIZED', message: expect.any(String) } });
  expect((await call('POST', '/login/api-secret', {})).body.type).toBe('INVALID_REQUEST');
  const login = await call('POST', '/login/api-secret', { apiSecret: SECRET });
  expect(login).toEqual({ status: 200, body: { accessToken: expect.any(String), refreshToken: expect.any(String) } });
  const refreshed = await call('POST', '/token/refresh', { refreshToken: login.body.refreshToken });
  expect(refreshed.status).toBe(200);
  expect(refreshed.body.refreshToken).not.toBe(login.body.refreshToken);
  expect((await call('POST', '/token/refresh', { refreshToken: login.body.refreshToken })).status).toBe(401);
  // both access tokens and the secret itself authenticate
  expect((await send('iv-token-1', `Bearer ${refreshed.body.accessToken}`)).status).toBe(200);
  expect((await call('GET', '/identity-verifications/iv-token-1', undefined, `PortOne ${SECRET}`)).body.status).toBe('READY');
  expect((await call('GET', '/identity-verifications/iv-token-1', undefined, 'Bearer nope')).status).toBe(401);
  expect((await call('GET', '/identity-verifications/iv-token-1')).status).toBe(401);
  // access tokens live 30 minutes on the sandbox clock
  await call('POST', '/__sandbox/clock', { advance_seconds: 31 * 60 });
  expect((await call('GET', '/identity-verifications/iv-token-1', undefined, `Bearer ${refreshed.body.accessToken}`)).status).toBe(401);
});

it('the OTP lands in the V1 inbox; without CI / DI while the switches say so; the same CI as V1', async () => {
  const auth = `PortOne ${SECRET}`;
  const v1Token = (await call('POST', '/users/getToken', { imp_key: 'sandbox_imp_key', imp_secret: 'sandbox_imp_secret' })).body.response.access_token;
  const v1 = await call('POST', '/certifications/otp/request', { name: '홍길동', phone: '01011112222', birth: '900101', gender_digit: '1', carrier: 'SKT' }, `Bearer ${v1Token}`);
  const v1Otp = (await call('GET', '/__sandbox/inbox?phone=01011112222')).body.messages[0].otp;
  const v1Cert = (await call('POST', `/certifications/otp/confirm/${v1.body.response.imp_uid}`, { otp: v1Otp }, `Bearer ${v1Token}`)).body.response;

  expect((await call('POST', '/__sandbox/v2/switches', { omit_ci: true }))).toEqual({ status: 200, body: { omit_ci: true, omit_di: false } });
  expect((await send('iv-switch-1', auth, '01033334444')).status).toBe(200);
  const { messages } = (await call('GET', '/__sandbox/inbox?phone=01033334444')).body;
  expect(messages[0]).toMatchObject({ imp_uid: 'iv-switch-1', otp: expect.stringMatching(/^\d{6}$/) });
  const confirmed = await call('POST', '/identity-verifications/iv-switch-1/confirm', { otp: messages[0].otp }, auth);
  expect(confirmed.body.identityVerification.verifiedCustomer.ci).toBeUndefined();
  expect(confirmed.body.identityVerification.verifiedCustomer.di).toBe(v1Cert.unique_in_site);
  await call('POST', '/__sandbox/v2/switches', { omit_ci: false, omit_di: true });
  await send('iv-switch-2', auth, '01055556666');
  const otp2 = (await call('GET', '/__sandbox/inbox?phone=01055556666')).body.messages[0].otp;
  const second = (await call('POST', '/identity-verifications/iv-switch-2/confirm', { otp: otp2 }, auth)).body.identityVerification;
  expect(second.verifiedCustomer).toMatchObject({ ci: v1Cert.unique_key, birthDate: '1990-01-01', gender: 'MALE', isForeigner: false });
  expect(second.verifiedCustomer.di).toBeUndefined();
  expect((await call('POST', '/__sandbox/reset')).status).toBe(200);
  expect((await call('GET', '/__sandbox/v2/switches')).body).toEqual({ omit_ci: false, omit_di: false });
});

it('errors are {type, message} with the documented statuses; a fault on a V2 path answers a V2 body', async () => {
  const auth = `PortOne ${SECRET}`;
  expect(await call('GET', '/identity-verifications/none', undefined, auth)).toEqual({ status: 404, body: { type: 'IDENTITY_VERIFICATION_NOT_FOUND', message: expect.any(String) } });
  expect((await call('POST', '/identity-verifications/none/resend', undefined, auth)).status).toBe(404);
  const bad = await fetch(`${base}/identity-verifications/x/send`, { method: 'POST', headers: { authorization: auth }, body: '{not json' });
  expect({ status: bad.status, body: await bad.json() }).toMatchObject({ status: 400, body: { type: 'INVALID_REQUEST' } });
  await call('POST', '/__sandbox/faults', { path_prefix: '/identity-verifications', status: 503, times: 1 });
  expect(await call('GET', '/identity-verifications/none', undefined, auth)).toEqual({ status: 503, body: { type: 'INTERNAL_SERVER_ERROR', message: expect.any(String) } });
  await send('iv-err-1', auth, '01077778888');
  await call('POST', '/__sandbox/clock', { advance_seconds: 200 });
  const otp = (await call('GET', '/__sandbox/inbox?phone=01077778888')).body.messages[0].otp;
  const late = await call('POST', '/identity-verifications/iv-err-1/confirm', { otp }, auth);
  expect(late).toEqual({ status: 502, body: { type: 'PG_PROVIDER', message: expect.any(String), pgCode: 'OTP_EXPIRED', pgMessage: expect.any(String) } });
  expect((await call('GET', '/identity-verifications/iv-err-1', undefined, auth)).body).toMatchObject({ status: 'FAILED', failure: { pgCode: 'OTP_EXPIRED' } });
});

it("the V2 SMS text carries the Danal CPTITLE (V1's company), else the default service name", async () => {
  const auth = `PortOne ${SECRET}`;
  const sent = await call('POST', '/identity-verifications/iv-text-1/send', {
    channelKey: 'channel-key-sandbox',
    customer: { name: '홍길동', phoneNumber: '01012123434', identityNumber: '9001011', ipAddress: '203.0.113.1' },
    operator: 'SKT',
    method: 'SMS',
    bypass: { danal: { CPTITLE: '테스트 서비스' } },
  }, auth);
  expect(sent.status).toBe(200);
  const [named] = (await call('GET', '/__sandbox/inbox?phone=01012123434')).body.messages;
  expect(named.text).toBe(`[Web발신]\n[테스트 서비스] 본인확인 인증번호 [${named.otp}]를 입력해주세요. 타인에게 알려주지 마세요.`);
  await send('iv-text-2', auth, '01056567878');
  const [plain] = (await call('GET', '/__sandbox/inbox?phone=01056567878')).body.messages;
  expect(plain.text).toContain(`[아임포트] 본인확인 인증번호 [${plain.otp}]`);
});
