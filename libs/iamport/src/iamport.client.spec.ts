/**
 * End-to-end tests of IamportClient over real HTTP against the in-process sandbox
 * (apps/iamport-sandbox), plus two small raw node:http servers for what the sandbox cannot
 * do (a server that sends headers and then trickles the body forever; a closed port).
 */
import { HttpService } from '@nestjs/axios';
import { Logger, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import {
  IAMPORT_TOKEN_STORE,
  IamportApiError,
  IamportAuthError,
  IamportCircuitOpenError,
  IamportClient,
  IamportError,
  IamportModule,
  IamportNetworkError,
  IamportTimeoutError,
  type IamportCallEvent,
  type IamportModuleOptions,
  type IamportStoredToken,
  type IamportTokenStore,
} from '@app/iamport';
import { IamportSandbox } from '../../../apps/iamport-sandbox/src/sandbox';
import { CapturingLogger } from '../../../test/support/capturing-logger';

const IMP_KEY = 'sandbox_imp_key';
const IMP_SECRET = 'sandbox_imp_secret';

const PERSON = {
  name: '홍길동',
  phone: '01012345678',
  birth: '900101',
  gender_digit: '1',
  carrier: 'SKT' as const,
};
const OTHER_PHONE = '01098765432';

// ------------------------------------------------------------------ capture


const logs = new CapturingLogger();
/** Every error any client call threw in this file, to check their serializations at the end. */
const thrown: unknown[] = [];
/** Access tokens the sandbox issued (read with our own getToken calls). */
const tokensSeen = new Set<string>();
/** OTPs read from the sandbox inbox. */
const otpsSeen = new Set<string>();

async function failure<E extends IamportError = IamportError>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    thrown.push(error);
    return error as E;
  }
  throw new Error('expected the call to fail');
}

// ------------------------------------------------------------------ sandbox helpers

const sandbox = new IamportSandbox();
let baseUrl = '';

async function control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`sandbox control ${method} ${path} answered ${res.status}`);
  return json;
}

interface Stats {
  calls: {
    getToken: number;
    requestOtp: number;
    confirmOtp: number;
    getCertification: number;
    deleteCertification: number;
  };
  sms_sent: number;
}
const stats = () => control<Stats>('GET', '/__sandbox/stats');
const fault = (rule: Record<string, unknown>) => control('POST', '/__sandbox/faults', rule);
const clearFaults = () => control('DELETE', '/__sandbox/faults');
const inbox = async (phone: string) => {
  const { messages } = await control<{ messages: Array<{ imp_uid: string; otp: string; sent_at: number }> }>(
    'GET',
    `/__sandbox/inbox?phone=${phone}`,
  );
  for (const m of messages) otpsSeen.add(m.otp);
  return messages;
};
const popupCertification = async (phone = PERSON.phone) =>
  (await control<{ imp_uid: string }>('POST', '/__sandbox/certifications', { ...PERSON, birth: '19900101', phone })).imp_uid;

/** The sandbox's current access token, by calling getToken ourselves (counts in stats). */
async function sandboxToken(): Promise<string> {
  const res = await fetch(`${baseUrl}/users/getToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ imp_key: IMP_KEY, imp_secret: IMP_SECRET }),
  });
  const body = (await res.json()) as { response: { access_token: string } };
  tokensSeen.add(body.response.access_token);
  return body.response.access_token;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------ client factory

const modules: TestingModule[] = [];

async function clientWith(
  overrides: Partial<IamportModuleOptions> = {},
): Promise<{ client: IamportClient; events: IamportCallEvent[]; moduleRef: TestingModule }> {
  const events: IamportCallEvent[] = [];
  const moduleRef = await Test.createTestingModule({
    imports: [
      IamportModule.forRoot({
        baseUrl,
        impKey: IMP_KEY,
        impSecret: IMP_SECRET,
        retry: { baseDelayMs: 10 },
        onCall: (e) => events.push(e),
        ...overrides,
      }),
    ],
  })
    .setLogger(logs)
    .compile();
  modules.push(moduleRef);
  return { client: moduleRef.get(IamportClient), events, moduleRef };
}

class RecordingTokenStore implements IamportTokenStore {
  token: IamportStoredToken | null = null;
  readonly ops: string[] = [];
  async get() {
    this.ops.push('get');
    return this.token;
  }
  async set(token: IamportStoredToken, ttlMs: number) {
    this.ops.push(`set:${Math.round(ttlMs / 1000)}`);
    this.token = token;
  }
  async clear(accessToken: string) {
    this.ops.push('clear');
    if (this.token?.accessToken === accessToken) this.token = null;
  }
}

beforeAll(async () => {
  Logger.overrideLogger(logs);
  baseUrl = await sandbox.listen(0);
});

beforeEach(async () => {
  await control('POST', '/__sandbox/reset');
});

afterEach(async () => {
  await sandboxToken().catch(() => undefined);
  while (modules.length > 0) await modules.pop()!.close();
});

afterAll(async () => {
  await sandbox.close();
});

// ------------------------------------------------------------------ tests

describe('IamportModule', () => {
  it('forRoot: runs the OTP flow end to end and returns typed certifications', async () => {
    const { client, moduleRef } = await clientWith();
    expect(moduleRef.get(IAMPORT_TOKEN_STORE)).toBeDefined();

    const { imp_uid } = await client.requestOtp({ ...PERSON, company: 'e2e', merchant_uid: 'm_e2e_1' });
    expect(imp_uid).toMatch(/^imp_\d+$/);
    const messages = await inbox(PERSON.phone);
    expect(messages).toHaveLength(1);
    expect(messages[0].imp_uid).toBe(imp_uid);

    const wrong = messages[0].otp === '000000' ? '111111' : '000000';
    const mismatch = await failure<IamportApiError>(client.confirmOtp(imp_uid, wrong));
    expect(mismatch).toBeInstanceOf(IamportApiError);
    expect(mismatch.httpStatus).toBe(400);
    expect(mismatch.upstreamCode).toBe(-1);
    expect(mismatch.upstreamMessage).toBe('인증번호가 일치하지 않습니다.');
    expect(mismatch.retryable).toBe(false);

    const cert = await client.confirmOtp(imp_uid, messages[0].otp);
    expect(cert).toMatchObject({
      imp_uid,
      merchant_uid: 'm_e2e_1',
      pg_provider: 'danal',
      name: PERSON.name,
      gender: 'male',
      birthday: '1990-01-01',
      foreigner: false,
      foreigner_v2: null,
      phone: PERSON.phone,
      carrier: 'SKT',
      certified: true,
    });
    expect(typeof cert.certified_at).toBe('number');
    expect(cert.certified_at).toBeGreaterThan(1_600_000_000);
    expect(typeof cert.unique_key).toBe('string');
    expect(typeof cert.unique_in_site).toBe('string');

    expect(await client.getCertification(imp_uid)).toEqual(cert);
    await client.deleteCertification(imp_uid);
    const gone = await failure<IamportApiError>(client.getCertification(imp_uid));
    expect(gone).toBeInstanceOf(IamportApiError);
    expect(gone.httpStatus).toBe(404);
    expect((await stats()).calls.getToken).toBe(1);
  });

  it('forRootAsync: builds the client from injected config and uses the given token store', async () => {
    const IAMPORT_CONFIG = 'IAMPORT_CONFIG';
    @Module({
      providers: [{ provide: IAMPORT_CONFIG, useValue: { url: baseUrl, key: IMP_KEY, secret: IMP_SECRET } }],
      exports: [IAMPORT_CONFIG],
    })
    class ConfigModule {}
    const store = new RecordingTokenStore();

    const moduleRef = await Test.createTestingModule({
      imports: [
        IamportModule.forRootAsync({
          imports: [ConfigModule],
          inject: [IAMPORT_CONFIG],
          useFactory: (cfg: { url: string; key: string; secret: string }) => ({
            baseUrl: cfg.url,
            impKey: cfg.key,
            impSecret: cfg.secret,
            tokenStore: store,
          }),
          isGlobal: true,
        }),
      ],
    })
      .setLogger(logs)
      .compile();
    modules.push(moduleRef);
    const client = moduleRef.get(IamportClient);
    expect(moduleRef.get(IAMPORT_TOKEN_STORE)).toBe(store);

    const impUid = await popupCertification();
    const cert = await client.getCertification(impUid);
    expect(cert.certified).toBe(true);
    expect(cert.birthday).toBe('1990-01-01');
    expect(store.token?.accessToken).toBe(await sandboxToken());
    expect(store.ops).toContain('set:1800');
  });

  it("goes through the axios instance of the module's HttpService: the host's interceptors see every exchange", async () => {
    const { client, moduleRef } = await clientWith();
    const seen: string[] = [];
    const axiosRef = moduleRef.get(HttpService, { strict: false }).axiosRef;
    axiosRef.interceptors.request.use((config) => {
      seen.push(`${config.method?.toUpperCase()} ${config.url}`);
      return config;
    });
    axiosRef.interceptors.response.use((response) => {
      seen.push(`answer ${response.status}`);
      return response;
    });
    const impUid = await popupCertification();
    expect((await client.getCertification(impUid)).certified).toBe(true);
    expect(seen).toEqual(['POST /users/getToken', 'answer 200', `GET /certifications/${impUid}`, 'answer 200']);
  });

  it('rejects invalid options without echoing the credentials', async () => {
    const attempt = Test.createTestingModule({
      imports: [IamportModule.forRoot({ baseUrl: 'not a url', impKey: 'key_visible_x', impSecret: 'secret_visible_x' })],
    })
      .setLogger(logs)
      .compile();
    const error = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toContain('baseUrl');
    expect(inspect(error)).not.toContain('secret_visible_x');
    expect(inspect(error)).not.toContain('key_visible_x');
  });
});

describe('access token', () => {
  it('50 concurrent calls with no cached token cause exactly one getToken', async () => {
    const impUid = await popupCertification();
    const { client } = await clientWith();
    const results = await Promise.all(Array.from({ length: 50 }, () => client.getCertification(impUid)));
    expect(results.every((c) => c.imp_uid === impUid)).toBe(true);
    const s = await stats();
    expect(s.calls.getToken).toBe(1);
    expect(s.calls.getCertification).toBe(50);
  });

  it('reuses the cached token across sequential calls', async () => {
    const impUid = await popupCertification();
    const { client } = await clientWith();
    for (let i = 0; i < 5; i++) await client.getCertification(impUid);
    expect((await stats()).calls.getToken).toBe(1);
  });

  it('refreshes a token the sandbox expired (tokens/expire) and retries the call once', async () => {
    const impUid = await popupCertification();
    const { client, events } = await clientWith();
    await client.getCertification(impUid);
    const before = await sandboxToken();
    await control('POST', '/__sandbox/tokens/expire');

    const s0 = await stats();
    const cert = await client.getCertification(impUid);
    expect(cert.imp_uid).toBe(impUid);
    const s1 = await stats();
    expect(s1.calls.getToken - s0.calls.getToken).toBe(1);
    expect(s1.calls.getCertification - s0.calls.getCertification).toBe(2); // the 401, then the retry
    expect(await sandboxToken()).not.toBe(before);
    expect(events.filter((e) => e.operation === 'getCertification').map((e) => e.outcome)).toEqual([
      'success',
      'client_error',
      'success',
    ]);
  });

  it('refreshes after the sandbox clock moves past the 30 minute lifetime', async () => {
    const impUid = await popupCertification();
    const { client } = await clientWith();
    await client.getCertification(impUid);
    const before = await sandboxToken();
    await control('POST', '/__sandbox/clock', { advance_seconds: 31 * 60 });

    const s0 = await stats();
    await client.getCertification(impUid);
    const s1 = await stats();
    expect(s1.calls.getToken - s0.calls.getToken).toBe(1);
    expect(s1.calls.getCertification - s0.calls.getCertification).toBe(2);
    expect(await sandboxToken()).not.toBe(before);
  });

  it('50 concurrent calls that all get a 401 share one refresh', async () => {
    const impUid = await popupCertification();
    const { client } = await clientWith();
    await client.getCertification(impUid);
    await control('POST', '/__sandbox/tokens/expire');
    const s0 = await stats();
    await Promise.all(Array.from({ length: 50 }, () => client.getCertification(impUid)));
    const s1 = await stats();
    expect(s1.calls.getToken - s0.calls.getToken).toBe(1);
    expect(s1.calls.getCertification - s0.calls.getCertification).toBe(100);
  });

  it('retries an OTP request once after a 401 (upstream did not process it): one SMS', async () => {
    const { client } = await clientWith();
    await client.getCertification(await popupCertification()).catch(() => undefined);
    await fault({ path_prefix: '/certifications/otp/request', status: 401, times: 1 });
    const s0 = await stats();
    const { imp_uid } = await client.requestOtp({ ...PERSON, phone: OTHER_PHONE });
    const s1 = await stats();
    expect(s1.calls.requestOtp - s0.calls.requestOtp).toBe(2);
    expect(s1.calls.getToken - s0.calls.getToken).toBe(1);
    const messages = await inbox(OTHER_PHONE);
    expect(messages.map((m) => m.imp_uid)).toEqual([imp_uid]);
  });

  it('a 401 that persists after the refresh is thrown, not retried again', async () => {
    const impUid = await popupCertification();
    const { client } = await clientWith();
    await fault({ path_prefix: '/certifications/', method: 'GET', status: 401 });
    const error = await failure<IamportApiError>(client.getCertification(impUid));
    expect(error).toBeInstanceOf(IamportApiError);
    expect(error.httpStatus).toBe(401);
    const s = await stats();
    expect(s.calls.getCertification).toBe(2);
    expect(s.calls.getToken).toBe(2);
  });

  it("computes expiry from the server's now and expired_at, not the local clock", async () => {
    // The sandbox clock runs 2 hours ahead: expired_at is 2.5 h ahead of the local clock, but
    // the token lives 30 minutes.
    await control('POST', '/__sandbox/clock', { advance_seconds: 7200 });
    const store = new RecordingTokenStore();
    const { client } = await clientWith({ tokenStore: store });
    await client.getCertification(await popupCertification());
    const remainingMs = store.token!.expiresAtMs - Date.now();
    expect(remainingMs).toBeGreaterThan(1790_000);
    expect(remainingMs).toBeLessThanOrEqual(1800_000);
  });

  it('refreshes inside the refresh margin, and keeps using the still valid token if that refresh fails', async () => {
    const impUid = await popupCertification();
    // a margin of the whole lifetime: every call wants a fresh token
    const { client } = await clientWith({ tokenRefreshMarginSeconds: 1800, retry: { attempts: 2, baseDelayMs: 5 } });
    await client.getCertification(impUid);
    await client.getCertification(impUid);
    expect((await stats()).calls.getToken).toBe(2); // same token handed back by the sandbox

    await fault({ path_prefix: '/users/getToken', status: 500 });
    const cert = await client.getCertification(impUid);
    expect(cert.imp_uid).toBe(impUid);
    expect(logs.lines.some((l) => l.includes('token refresh failed'))).toBe(true);
  });

  it('wrong credentials raise IamportAuthError without retry', async () => {
    const { client } = await clientWith({ impSecret: 'definitely-wrong-secret-123' });
    const error = await failure<IamportAuthError>(client.getCertification('imp_000000000001'));
    expect(error).toBeInstanceOf(IamportAuthError);
    expect(error.operation).toBe('getToken');
    expect(error.httpStatus).toBe(401);
    expect(error.upstreamCode).toBe(-1);
    expect(error.retryable).toBe(false);
    expect(inspect(error) + JSON.stringify(error) + error.stack).not.toContain('definitely-wrong-secret-123');
    expect((await stats()).calls.getToken).toBe(1);
    expect((await stats()).calls.getCertification).toBe(0);
  });
});

describe('errors and retries', () => {
  it('a 500 on the OTP request reaches the caller typed, with no retry and no SMS', async () => {
    const { client } = await clientWith();
    await fault({ path_prefix: '/certifications/otp/request', status: 500, times: 1 });

    const error = await failure<IamportApiError>(client.requestOtp(PERSON));
    expect(error).toBeInstanceOf(IamportApiError);
    expect(error.operation).toBe('requestOtp');
    expect(error.httpStatus).toBe(500);
    expect(error.upstreamCode).toBe(-1);
    expect(error.upstreamMessage).toBe('처리 중 다날서버 응답오류 등 오류가 발생하였습니다.');
    expect(error.retryable).toBe(true);
    expect(await inbox(PERSON.phone)).toEqual([]);
    expect((await stats()).calls.requestOtp).toBe(1);

    const { imp_uid } = await client.requestOtp(PERSON);
    const messages = await inbox(PERSON.phone);
    expect(messages).toHaveLength(1);
    expect(messages[0].imp_uid).toBe(imp_uid);
    expect((await stats()).calls.requestOtp).toBe(2);
  });

  it('a carrier rejection (phone ending 0000) is a 400, not retried', async () => {
    const { client } = await clientWith();
    const error = await failure<IamportApiError>(client.requestOtp({ ...PERSON, phone: '01012340000' }));
    expect(error).toBeInstanceOf(IamportApiError);
    expect(error.httpStatus).toBe(400);
    expect(error.upstreamMessage).toBe('본인인증 대상자 정보가 올바르지 않습니다.');
    expect((await stats()).calls.requestOtp).toBe(1);
  });

  it('confirmOtp is not retried on a 500; the caller can check with getCertification', async () => {
    const { client } = await clientWith();
    const { imp_uid } = await client.requestOtp(PERSON);
    const [{ otp }] = await inbox(PERSON.phone);
    await fault({ path_prefix: '/certifications/otp/confirm', status: 500, times: 1 });
    const error = await failure<IamportApiError>(client.confirmOtp(imp_uid, otp));
    expect(error.httpStatus).toBe(500);
    expect((await stats()).calls.confirmOtp).toBe(1);
    expect((await client.getCertification(imp_uid)).certified).toBe(false);
    expect((await client.confirmOtp(imp_uid, otp)).certified).toBe(true);
  });

  it('GET retries a transient 503 and succeeds', async () => {
    const impUid = await popupCertification();
    const { client, events } = await clientWith();
    await fault({ path_prefix: '/certifications/', method: 'GET', status: 503, times: 1 });
    const cert = await client.getCertification(impUid);
    expect(cert.imp_uid).toBe(impUid);
    expect((await stats()).calls.getCertification).toBe(2);
    expect(events.filter((e) => e.operation === 'getCertification').map((e) => e.outcome)).toEqual([
      'server_error',
      'success',
    ]);
  });

  it('GET gives up after the configured attempts and throws the last upstream error', async () => {
    const impUid = await popupCertification();
    const { client } = await clientWith({ retry: { attempts: 3, baseDelayMs: 10 } });
    await fault({ path_prefix: '/certifications/', method: 'GET', status: 503 });
    const error = await failure<IamportApiError>(client.getCertification(impUid));
    expect(error.httpStatus).toBe(503);
    expect((await stats()).calls.getCertification).toBe(3);
  });

  it('GET does not retry a 4xx', async () => {
    const { client } = await clientWith();
    const error = await failure<IamportApiError>(client.getCertification('imp_999999999999'));
    expect(error.httpStatus).toBe(404);
    expect(error.upstreamMessage).toBe('본인인증결과를 찾을 수 없습니다.');
    expect((await stats()).calls.getCertification).toBe(1);
  });

  it('a 200 with a non-zero code is an IamportApiError (not retried, breaker unaffected)', async () => {
    const impUid = await popupCertification();
    const { client, events } = await clientWith({ breaker: { failureThreshold: 1 } });
    await fault({
      path_prefix: '/certifications/',
      method: 'GET',
      status: 200,
      code: 1,
      message: '존재하지 않는 결제정보입니다',
      times: 1,
    });
    const error = await failure<IamportApiError>(client.getCertification(impUid));
    expect(error).toBeInstanceOf(IamportApiError);
    expect(error.httpStatus).toBe(200);
    expect(error.upstreamCode).toBe(1);
    expect(error.upstreamMessage).toBe('존재하지 않는 결제정보입니다');
    expect(error.retryable).toBe(false);
    expect((await stats()).calls.getCertification).toBe(1);
    expect(client.breakerState()).toBe('closed');
    expect(events.find((e) => e.operation === 'getCertification')?.outcome).toBe('client_error');
  });

  it('DELETE retried after a 500 that did erase counts the 404 of the retry as done', async () => {
    const impUid = await popupCertification();
    const { client } = await clientWith();
    await fault({ path_prefix: '/certifications/', method: 'DELETE', status: 500, times: 1, process_request: true });
    await client.deleteCertification(impUid);
    expect((await stats()).calls.deleteCertification).toBe(2);
    expect((await failure<IamportApiError>(client.getCertification(impUid))).httpStatus).toBe(404);
    // a 404 on a first attempt is still an error
    expect((await failure<IamportApiError>(client.deleteCertification(impUid))).httpStatus).toBe(404);
  });

  it('encodes imp_uid in the path', async () => {
    const { client } = await clientWith();
    const error = await failure<IamportApiError>(client.getCertification('../users/getToken?x=1'));
    expect(error.httpStatus).toBe(404);
    const s = await stats();
    expect(s.calls.getCertification).toBe(1);
    expect(s.calls.getToken).toBe(1);
  });
});

describe('timeouts and network errors', () => {
  it('an OTP request slower than timeoutMs raises IamportTimeoutError in time, without retry', async () => {
    const { client, events } = await clientWith({ timeoutMs: 300 });
    await client.getCertification(await popupCertification()).catch(() => undefined); // token first
    await fault({ path_prefix: '/certifications/otp/request', latency_ms: 2000, times: 1 });
    const started = Date.now();
    const error = await failure<IamportTimeoutError>(client.requestOtp({ ...PERSON, phone: OTHER_PHONE }));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(IamportTimeoutError);
    expect(error.timeoutMs).toBe(300);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1000);
    expect((await stats()).calls.requestOtp).toBe(1);
    // The sandbox processed it before stalling: exactly the case where a retry would send a 2nd SMS.
    expect(await inbox(OTHER_PHONE)).toHaveLength(1);
    expect(events.filter((e) => e.operation === 'requestOtp').map((e) => e.outcome)).toEqual(['timeout']);
  });

  it('a slow GET is cut off at timeoutMs and retried', async () => {
    const impUid = await popupCertification();
    const { client, events } = await clientWith({ timeoutMs: 300 });
    await fault({ path_prefix: '/certifications/', method: 'GET', latency_ms: 2000, times: 1 });
    const started = Date.now();
    await client.getCertification(impUid);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(events.filter((e) => e.operation === 'getCertification').map((e) => e.outcome)).toEqual(['timeout', 'success']);
  });

  it('a dropped connection raises IamportNetworkError (OTP request: no retry, nothing processed)', async () => {
    const { client } = await clientWith();
    await client.getCertification(await popupCertification()).catch(() => undefined);
    await fault({ path_prefix: '/certifications/otp/request', drop: true, times: 1 });
    const error = await failure<IamportNetworkError>(client.requestOtp({ ...PERSON, phone: OTHER_PHONE }));
    expect(error).toBeInstanceOf(IamportNetworkError);
    expect(error.retryable).toBe(true);
    expect((await stats()).calls.requestOtp).toBe(1);
    expect(await inbox(OTHER_PHONE)).toEqual([]);
  });

  it('a dropped connection on GET is retried', async () => {
    const impUid = await popupCertification();
    const { client } = await clientWith();
    await fault({ path_prefix: '/certifications/', method: 'GET', drop: true, times: 2 });
    expect((await client.getCertification(impUid)).imp_uid).toBe(impUid);
    expect((await stats()).calls.getCertification).toBe(3);
  });

  it('a refused connection raises IamportNetworkError (ECONNREFUSED)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const { client, events } = await clientWith({ baseUrl: `http://127.0.0.1:${port}`, retry: { attempts: 2, baseDelayMs: 5 } });
    const error = await failure<IamportNetworkError>(client.getCertification('imp_000000000001'));
    expect(error).toBeInstanceOf(IamportNetworkError);
    expect(error.errorCode).toBe('ECONNREFUSED');
    expect(events.map((e) => `${e.operation}:${e.outcome}`)).toEqual(['getToken:network_error', 'getToken:network_error']);
  });

  it('sends a GET again on a fresh socket when a reused keep-alive socket was closed under it, without a retry attempt or a breaker failure', async () => {
    // The race of a pooled connection the server closes while idle: the request goes into a
    // closing socket, is never read, and the client sees ECONNRESET on a reused socket.
    const served = new WeakSet<object>();
    const seen = { dropped: 0, otp: 0 };
    const CERTIFIED_STUB = {
      imp_uid: 'imp_111122223333', merchant_uid: null, pg_tid: '1', pg_provider: 'danal', name: '홍길동', gender: 'male',
      birthday: '1990-01-01', foreigner: false, foreigner_v2: null, phone: '01012345678', carrier: 'SKT', certified: true,
      unique_key: 'ci', unique_in_site: 'di', origin: null,
    };
    let dropNextReused = true;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        const now = Math.floor(Date.now() / 1000);
        if (req.url === '/users/getToken') {
          served.add(req.socket);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: 0, message: null, response: { access_token: 'tok_reuse_0123456789', now, expired_at: now + 1800 } }));
          return;
        }
        if (dropNextReused && served.has(req.socket)) {
          dropNextReused = false;
          seen.dropped += 1;
          req.socket.destroy();
          return;
        }
        seen.otp += 1;
        served.add(req.socket);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 0, message: null, response: { ...CERTIFIED_STUB, certified_at: now } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { client, events } = await clientWith({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        retry: { attempts: 1 }, // no retry attempt to spend: only the fresh-socket resend can save it
      });
      const answer = await client.getCertification('imp_111122223333');
      expect(answer.imp_uid).toBe('imp_111122223333');
      expect(seen).toEqual({ dropped: 1, otp: 1 });
      expect(events.map((e) => `${e.operation}:${e.outcome}`)).toEqual(['getToken:success', 'getCertification:success']);
      expect(client.breakerState()).toBe('closed');
      tokensSeen.add('tok_reuse_0123456789');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('a server that sends headers and then stalls the body', () => {
    let server: Server;
    let stallUrl = '';
    const authHeaders: Array<string | undefined> = [];
    const intervals = new Set<NodeJS.Timeout>();

    beforeAll(async () => {
      server = createServer((req: IncomingMessage, res: ServerResponse) => {
        req.resume();
        if (req.url === '/users/getToken') {
          const now = Math.floor(Date.now() / 1000);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: 0, message: null, response: { access_token: 'tok_stall_0123456789', now, expired_at: now + 1800 } }));
          return;
        }
        authHeaders.push(req.headers.authorization);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
        res.write('{"code":0,');
        const interval = setInterval(() => res.write(' '), 50); // keeps the socket busy: no idle timeout
        intervals.add(interval);
        res.on('close', () => {
          clearInterval(interval);
          intervals.delete(interval);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      stallUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      for (const i of intervals) clearInterval(i);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('is cut off by the hard timeout', async () => {
      const { client } = await clientWith({ baseUrl: stallUrl, timeoutMs: 400, retry: { attempts: 1 } });
      const started = Date.now();
      const error = await failure<IamportTimeoutError>(client.getCertification('imp_000000000001'));
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(IamportTimeoutError);
      expect(elapsed).toBeGreaterThanOrEqual(390);
      expect(elapsed).toBeLessThan(1500);
      expect(authHeaders).toEqual(['Bearer tok_stall_0123456789']);
      tokensSeen.add('tok_stall_0123456789');
    }, 5000);
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive 5xx, fails fast without reaching the sandbox, and closes after resetTimeoutMs', async () => {
    const impUid = await popupCertification();
    const { client, events } = await clientWith({
      retry: { attempts: 1 },
      breaker: { failureThreshold: 3, resetTimeoutMs: 300 },
    });
    await client.getCertification(impUid);
    await fault({ path_prefix: '/certifications/', method: 'GET', status: 503 });
    for (let i = 0; i < 3; i++) {
      expect((await failure<IamportApiError>(client.getCertification(impUid))).httpStatus).toBe(503);
    }
    expect(client.breakerState()).toBe('open');
    const reached = (await stats()).calls.getCertification;
    expect(reached).toBe(4);

    const started = Date.now();
    const fast = await failure<IamportCircuitOpenError>(client.getCertification(impUid));
    expect(fast).toBeInstanceOf(IamportCircuitOpenError);
    expect(fast.retryAfterMs).toBeGreaterThan(0);
    expect(fast.retryAfterMs).toBeLessThanOrEqual(300);
    expect(fast.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(50);
    expect((await failure(client.requestOtp(PERSON)))).toBeInstanceOf(IamportCircuitOpenError);
    let s = await stats();
    expect(s.calls.getCertification).toBe(reached);
    expect(s.calls.requestOtp).toBe(0);
    expect(events.filter((e) => e.outcome === 'circuit_open')).toHaveLength(2);

    // a failed probe reopens it
    await sleep(320);
    expect(client.breakerState()).toBe('half-open');
    expect((await failure<IamportApiError>(client.getCertification(impUid))).httpStatus).toBe(503);
    expect(client.breakerState()).toBe('open');
    expect(await failure(client.getCertification(impUid))).toBeInstanceOf(IamportCircuitOpenError);
    s = await stats();
    expect(s.calls.getCertification).toBe(reached + 1);

    // the upstream recovers: one probe goes through and closes it
    await clearFaults();
    await sleep(320);
    expect(client.breakerState()).toBe('half-open');
    await fault({ path_prefix: '/certifications/', method: 'GET', latency_ms: 150, times: 1 });
    const probe = client.getCertification(impUid);
    await sleep(20);
    // while the probe runs, others still fail fast
    expect(await failure(client.getCertification(impUid))).toBeInstanceOf(IamportCircuitOpenError);
    expect((await probe).imp_uid).toBe(impUid);
    expect(client.breakerState()).toBe('closed');
    expect((await client.getCertification(impUid)).imp_uid).toBe(impUid);
    expect(logs.lines.some((l) => l.includes('circuit breaker closed -> open'))).toBe(true);
  });

  it('counts timeouts and network errors but not 4xx', async () => {
    const { client } = await clientWith({ retry: { attempts: 1 }, timeoutMs: 200, breaker: { failureThreshold: 2, resetTimeoutMs: 10_000 } });
    for (let i = 0; i < 5; i++) {
      expect((await failure<IamportApiError>(client.getCertification('imp_999999999999'))).httpStatus).toBe(404);
    }
    expect(client.breakerState()).toBe('closed');

    await fault({ path_prefix: '/certifications/', method: 'GET', latency_ms: 1000, times: 1 });
    await fault({ path_prefix: '/certifications/', method: 'DELETE', drop: true, times: 1 });
    expect(await failure(client.getCertification('imp_999999999999'))).toBeInstanceOf(IamportTimeoutError);
    expect(client.breakerState()).toBe('closed');
    expect(await failure(client.deleteCertification('imp_999999999999'))).toBeInstanceOf(IamportNetworkError);
    expect(client.breakerState()).toBe('open');
  });
});

describe('call deadline (callDeadlineMs)', () => {
  /** Scheduling slack over the deadline (timers, loopback, a busy test machine). */
  const MARGIN_MS = 200;
  const SILENT = 5000; // far beyond every deadline below: the upstream never answers in time

  async function timed<E extends IamportError>(promise: Promise<unknown>): Promise<{ error: E; ms: number }> {
    const started = performance.now();
    const error = await failure<E>(promise);
    return { error, ms: performance.now() - started };
  }

  it('is validated: not below timeoutMs; defaults to 12000 (or timeoutMs when larger)', async () => {
    const attempt = Test.createTestingModule({
      imports: [IamportModule.forRoot({ baseUrl, impKey: IMP_KEY, impSecret: IMP_SECRET, timeoutMs: 1000, callDeadlineMs: 999 })],
    })
      .setLogger(logs)
      .compile();
    const error = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(String(error)).toContain('callDeadlineMs must be >= timeoutMs');
    // a timeoutMs above the default deadline alone is still a valid configuration
    const { client } = await clientWith({ timeoutMs: 20_000 });
    expect((await client.getCertification(await popupCertification())).certified).toBe(true);
  });

  it('a GET against a silent upstream fails within the deadline: no retry starts without the time for it', async () => {
    const impUid = await popupCertification();
    const options = { timeoutMs: 300, callDeadlineMs: 800, retry: { attempts: 3, baseDelayMs: 10 } };
    const { client, events } = await clientWith(options);
    // the same options with a roomy deadline: shows what the deadline prevents
    const roomy = await clientWith({ ...options, callDeadlineMs: 5000 });
    await client.getCertification(impUid); // tokens cached
    await roomy.client.getCertification(impUid);
    await fault({ path_prefix: '/certifications/', method: 'GET', latency_ms: SILENT });
    try {
      const s0 = await stats();
      const { error, ms } = await timed<IamportTimeoutError>(client.getCertification(impUid));
      expect(error).toBeInstanceOf(IamportTimeoutError);
      expect(error.operation).toBe('getCertification');
      expect(ms).toBeLessThan(800 + MARGIN_MS);
      // two 300 ms attempts; a third would have ended past 800 ms
      expect((await stats()).calls.getCertification - s0.calls.getCertification).toBe(2);
      expect(events.filter((e) => e.operation === 'getCertification').map((e) => e.outcome)).toEqual(['success', 'timeout', 'timeout']);
      expect(logs.lines.some((l) => l.includes('not retrying') && l.includes('before the call deadline'))).toBe(true);

      // with the roomy deadline: all 3 attempts, past 800 ms
      const slow = await timed<IamportTimeoutError>(roomy.client.getCertification(impUid));
      expect(slow.error).toBeInstanceOf(IamportTimeoutError);
      expect(slow.ms).toBeGreaterThanOrEqual(900);
      expect(roomy.events.filter((e) => e.outcome === 'timeout')).toHaveLength(3);
    } finally {
      await clearFaults();
    }
  });

  it('a call whose token fetch hangs fails within the deadline, without reaching the API call', async () => {
    const { client, events } = await clientWith({ timeoutMs: 300, callDeadlineMs: 800, retry: { attempts: 3, baseDelayMs: 10 } });
    await fault({ path_prefix: '/users/getToken', latency_ms: SILENT });
    try {
      const { error, ms } = await timed<IamportTimeoutError>(client.getCertification('imp_000000000001'));
      expect(error).toBeInstanceOf(IamportTimeoutError);
      expect(error.operation).toBe('getToken');
      expect(ms).toBeLessThan(800 + MARGIN_MS);
      const s = await stats();
      expect(s.calls.getToken).toBe(2);
      expect(s.calls.getCertification).toBe(0);
      expect(events.map((e) => `${e.operation}:${e.outcome}`)).toEqual(['getToken:timeout', 'getToken:timeout']);
    } finally {
      await clearFaults();
    }
  });

  it('the time taken by the token counts: the attempt gets only what is left, and fails at the deadline', async () => {
    const impUid = await popupCertification();
    const { client, events } = await clientWith({ timeoutMs: 600, callDeadlineMs: 800, retry: { attempts: 3, baseDelayMs: 10 } });
    await fault({ path_prefix: '/users/getToken', latency_ms: 400, times: 1 });
    await fault({ path_prefix: '/certifications/', method: 'GET', latency_ms: SILENT });
    try {
      const { error, ms } = await timed<IamportTimeoutError>(client.getCertification(impUid));
      expect(error).toBeInstanceOf(IamportTimeoutError);
      expect(error.callDeadline).toBe(true);
      expect(error.timeoutMs).toBe(800);
      expect(error.message).toContain('call deadline of 800 ms');
      expect(ms).toBeGreaterThanOrEqual(780);
      expect(ms).toBeLessThan(800 + MARGIN_MS);
      expect(events.map((e) => `${e.operation}:${e.outcome}`)).toEqual(['getToken:success', 'getCertification:timeout']);
      const getAttempt = events[1];
      expect(getAttempt.durationMs).toBeLessThan(550); // cut at the ~400 ms left, not at timeoutMs 600
    } finally {
      await clearFaults();
    }
  });

  it('a caller stops waiting for the shared token fetch at its own deadline; the fetch goes on for the others', async () => {
    const impUid = await popupCertification();
    const { client } = await clientWith({ timeoutMs: 700, callDeadlineMs: 800, retry: { attempts: 3, baseDelayMs: 10 } });
    await client.getCertification(impUid); // token cached
    // A's GET answers a 401 after 350 ms: A drops the token and starts a fetch that takes 550 ms,
    // i.e. past A's deadline (~800 ms) but well within the fetch's own.
    await fault({ path_prefix: '/certifications/', method: 'GET', status: 401, latency_ms: 350, times: 1 });
    await fault({ path_prefix: '/users/getToken', latency_ms: 550, times: 1 });
    const s0 = await stats();
    const a = timed<IamportTimeoutError>(client.getCertification(impUid));
    await sleep(450); // the fetch is in flight now
    const b = client.getCertification(impUid).then((cert) => ({ cert, at: performance.now() }));
    const { error, ms } = await a;
    expect(error).toBeInstanceOf(IamportTimeoutError);
    expect(error.operation).toBe('getToken');
    expect(error.callDeadline).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(780);
    expect(ms).toBeLessThan(800 + MARGIN_MS);
    // B joined the same fetch, which was not cut short by A's deadline
    expect((await b).cert.imp_uid).toBe(impUid);
    const s1 = await stats();
    expect(s1.calls.getToken - s0.calls.getToken).toBe(1);
    // and the token it fetched is stored: the next call needs no fetch
    await client.getCertification(impUid);
    expect((await stats()).calls.getToken - s0.calls.getToken).toBe(1);
  });
});

describe('secrets and personal data', () => {
  it('appear in no log line and in no thrown error, however serialized', async () => {
    tokensSeen.add(await sandboxToken());
    expect(thrown.length).toBeGreaterThan(20);
    expect(logs.lines.filter((l) => l.includes('IamportClient')).length).toBeGreaterThan(5);
    expect(tokensSeen.size).toBeGreaterThan(3);
    expect(otpsSeen.size).toBeGreaterThan(2);

    const forbidden = [
      IMP_KEY,
      IMP_SECRET,
      ...tokensSeen,
      PERSON.name,
      PERSON.phone,
      OTHER_PHONE,
      '010-1234-5678',
      PERSON.birth,
      '19900101',
      ...otpsSeen,
    ];
    const texts: Array<{ where: string; text: string }> = logs.lines.map((text, i) => ({ where: `log #${i}`, text }));
    thrown.forEach((error, i) => {
      const e = error as Error;
      texts.push(
        { where: `error #${i} String`, text: String(e) },
        { where: `error #${i} JSON`, text: JSON.stringify(e) },
        { where: `error #${i} inspect`, text: inspect(e, { depth: null, showHidden: true }) },
        { where: `error #${i} stack`, text: e.stack ?? '' },
        { where: `error #${i} keys`, text: JSON.stringify(Object.getOwnPropertyNames(e).map((k) => [k, String((e as unknown as Record<string, unknown>)[k])])) },
      );
    });
    const leaks: string[] = [];
    for (const { where, text } of texts) {
      forbidden.forEach((value, index) => {
        if (text.includes(value)) leaks.push(`${where} contains forbidden value #${index}`);
      });
    }
    expect(leaks).toEqual([]);
    // and every thrown error is one of ours, without the axios request attached
    for (const error of thrown) {
      expect(error).toBeInstanceOf(IamportError);
      expect(Object.keys(error as object)).not.toEqual(expect.arrayContaining(['config']));
      expect((error as { cause?: unknown }).cause).toBeUndefined();
    }
  });
});
