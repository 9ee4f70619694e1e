import { Test } from '@nestjs/testing';
import {
  ChannelNotFoundError,
  ForbiddenError,
  IdentityVerificationAlreadySentError,
  IdentityVerificationAlreadyVerifiedError,
  IdentityVerificationNotFoundError,
  InvalidRequestError,
  PgProviderError,
  PortOneCircuitOpenError,
  PortOneClient,
  PortOneModule,
  PortOneNetworkError,
  PortOneTimeoutError,
  UnauthorizedError,
  UnrecognizedPortOneError,
} from '@app/portone';
import { IamportSandbox } from '../../apps/iamport-sandbox/src/sandbox';
import { deriveCi, deriveDi, parseBirth } from '../../apps/iamport-sandbox/src/identity';

const SECRET = 'test_portone_secret';
const CHANNEL = 'channel-key-test';

async function clientOn(baseUrl: string, overrides: Record<string, unknown> = {}): Promise<PortOneClient> {
  const moduleRef = await Test.createTestingModule({
    imports: [PortOneModule.forRoot({ baseUrl, apiSecret: SECRET, storeId: 'store-test', timeoutMs: 2000, callDeadlineMs: 5000, retry: { attempts: 3, baseDelayMs: 10 }, ...overrides })],
  }).compile();
  return moduleRef.get(PortOneClient);
}

const customer = (phone = '01012345678') => ({ name: '홍길동', phoneNumber: phone, identityNumber: '9001011', ipAddress: '203.0.113.7' });

// `http` (the default: the SDK's calls on the module's HttpModule) and `fetch` (the SDK's own client) must agree.
describe.each(['http', 'fetch'] as const)('PortOneClient on @portone/server-sdk (%s transport) against the sandbox V2', (transport) => {
  const clientFor = (url: string, overrides: Record<string, unknown> = {}) => clientOn(url, { transport, ...overrides });
  const sandbox = new IamportSandbox({ portoneApiSecret: SECRET, portoneStoreId: 'store-test', portoneChannelKey: CHANNEL });
  let base: string;
  let client: PortOneClient;
  let seq = 0;
  const newId = () => `identity-verification-test-${Date.now()}-${++seq}`;
  const control = (path: string, body?: unknown) =>
    fetch(`${base}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.json());
  const otpOf = async (phone: string, id: string) => {
    const { messages } = (await control(`/__sandbox/inbox?phone=${phone}`)) as { messages: { imp_uid: string; otp: string }[] };
    return messages.find((m) => m.imp_uid === id)!.otp;
  };

  beforeAll(async () => {
    base = await sandbox.listen(0);
    client = await clientFor(base);
  });
  afterAll(() => sandbox.close());
  afterEach(async () => {
    await control('/__sandbox/faults', undefined).catch(() => undefined);
    await fetch(`${base}/__sandbox/faults`, { method: 'DELETE' });
    await control('/__sandbox/v2/switches', { omit_ci: false, omit_di: false });
  });

  it('send, confirm with the inbox OTP, get and list: VERIFIED with the same CI and DI as V1', async () => {
    const id = newId();
    await client.send({ identityVerificationId: id, channelKey: CHANNEL, customer: customer(), operator: 'SKT_MVNO', method: 'SMS' });
    const ready = await client.get(id);
    expect(ready).toMatchObject({ status: 'READY', id, requestedCustomer: { name: '홍길동', phoneNumber: '01012345678' } });
    const otp = await otpOf('01012345678', id);
    expect(otp).toMatch(/^\d{6}$/);
    const verified = await client.confirm(id, otp);
    const birth = parseBirth('900101', 1, '2100-01-01');
    const ci = deriveCi({ name: '홍길동', birth: (birth as { ok: true; birth: never }).birth, genderDigit: 1 });
    expect(verified).toMatchObject({
      status: 'VERIFIED',
      id,
      verifiedCustomer: { name: '홍길동', birthDate: '1990-01-01', gender: 'MALE', isForeigner: false, operator: 'SKT_MVNO', phoneNumber: '01012345678', ci, di: deriveDi(ci, 'imp00000000') },
    });
    expect(verified.pgTxId).toMatch(/^\d{24}$/);
    expect(new Date(verified.verifiedAt).toString()).not.toBe('Invalid Date');
    const listed = await client.list({ filter: { identityVerificationId: id } });
    expect(listed.page.totalCount).toBe(1);
    expect(listed.items[0]).toMatchObject({ id, status: 'VERIFIED' });
  });

  it('resend sends a new OTP; the old one no longer confirms', async () => {
    const id = newId();
    const phone = '01022223333';
    await client.send({ identityVerificationId: id, channelKey: CHANNEL, customer: customer(phone), operator: 'KT', method: 'SMS' });
    const first = await otpOf(phone, id);
    await client.resend(id);
    const second = await otpOf(phone, id);
    if (first !== second) await expect(client.confirm(id, first)).rejects.toBeInstanceOf(PgProviderError);
    await expect(client.confirm(id, second)).resolves.toMatchObject({ status: 'VERIFIED' });
  });

  it('maps every V2 error type to its typed error (the SDK type names)', async () => {
    const id = newId();
    await expect(client.get('missing-id')).rejects.toBeInstanceOf(IdentityVerificationNotFoundError);
    await expect(client.confirm('missing-id', '123456')).rejects.toBeInstanceOf(IdentityVerificationNotFoundError);
    await expect(client.send({ identityVerificationId: id, channelKey: 'nope', customer: customer(), operator: 'LGU', method: 'SMS' })).rejects.toBeInstanceOf(ChannelNotFoundError);
    await expect(client.send({ identityVerificationId: id, channelKey: CHANNEL, customer: { ...customer(), identityNumber: '12' }, operator: 'LGU', method: 'SMS' })).rejects.toBeInstanceOf(InvalidRequestError);
    await client.send({ identityVerificationId: id, channelKey: CHANNEL, customer: customer('01044445555'), operator: 'LGU', method: 'SMS' });
    await expect(client.send({ identityVerificationId: id, channelKey: CHANNEL, customer: customer('01044445555'), operator: 'LGU', method: 'SMS' })).rejects.toBeInstanceOf(IdentityVerificationAlreadySentError);
    const wrong = await client.confirm(id, '000000').catch((e: unknown) => e);
    const right = await otpOf('01044445555', id);
    if (right !== '000000') {
      expect(wrong).toBeInstanceOf(PgProviderError);
      expect((wrong as PgProviderError).pgCode).toBe('OTP_MISMATCH');
    }
    await client.confirm(id, right);
    await expect(client.confirm(id, right)).rejects.toBeInstanceOf(IdentityVerificationAlreadyVerifiedError);
    await expect(client.resend(id)).rejects.toBeInstanceOf(IdentityVerificationAlreadyVerifiedError);
    const rejected = newId();
    const refusal = await client.send({ identityVerificationId: rejected, channelKey: CHANNEL, customer: customer('01012340000'), operator: 'SKT', method: 'SMS' }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(PgProviderError);
    expect(await client.get(rejected)).toMatchObject({ status: 'FAILED', failure: { pgCode: 'IDENTITY_MISMATCH' } });
    const other = await clientFor(base, { apiSecret: 'wrong-secret' });
    const unauthorized = await other.get(id).catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(UnauthorizedError);
    expect(String((unauthorized as Error).message)).not.toContain('wrong-secret');
    const otherStore = await clientFor(base, { storeId: 'store-other' });
    await expect(otherStore.get(id)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('retries get on a 5xx and a dropped connection; never retries send', async () => {
    const id = newId();
    await client.send({ identityVerificationId: id, channelKey: CHANNEL, customer: customer('01055556666'), operator: 'SKT', method: 'SMS' });
    // rules that match one request fire together: a 500 on the first attempt, a drop on the second
    await control('/__sandbox/faults', { path_prefix: `/identity-verifications/${id}`, method: 'GET', status: 500, times: 1 });
    await control('/__sandbox/faults', { path_prefix: `/identity-verifications/${id}`, method: 'GET', drop: true, times: 2 });
    await expect(client.get(id)).resolves.toMatchObject({ status: 'READY' });
    const sendId = newId();
    await control('/__sandbox/faults', { path_prefix: `/identity-verifications/${sendId}/send`, status: 500, times: 1 });
    await expect(client.send({ identityVerificationId: sendId, channelKey: CHANNEL, customer: customer('01055557777'), operator: 'SKT', method: 'SMS' })).rejects.toBeInstanceOf(UnrecognizedPortOneError);
    // the fault answered without processing: one attempt only, so nothing was sent
    await expect(client.get(sendId)).rejects.toBeInstanceOf(IdentityVerificationNotFoundError);
  });

  it('every call has a deadline; a dead upstream opens the breaker', async () => {
    const slow = await clientFor(base, { timeoutMs: 100, callDeadlineMs: 250, breaker: { failureThreshold: 2, resetTimeoutMs: 60_000 } });
    await control('/__sandbox/faults', { path_prefix: '/identity-verifications', latency_ms: 1000 });
    const started = performance.now();
    await expect(slow.get('any')).rejects.toBeInstanceOf(PortOneTimeoutError);
    expect(performance.now() - started).toBeLessThan(900);
    await expect(slow.send({ identityVerificationId: newId(), channelKey: CHANNEL, customer: customer(), operator: 'SKT', method: 'SMS' })).rejects.toBeInstanceOf(PortOneCircuitOpenError);
    expect(slow.breakerState()).toBe('open');
  });

  it('a refused connection is a network error', async () => {
    const closed = new IamportSandbox();
    const url = await closed.listen(0);
    await closed.close();
    const dead = await clientFor(url, { retry: { attempts: 1 } });
    await expect(dead.get('any')).rejects.toBeInstanceOf(PortOneNetworkError);
  });
});

it('the http transport refuses a non-JSON answer as a network error, as the SDK does', async () => {
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const client = await clientOn(`http://127.0.0.1:${port}`, { retry: { attempts: 1 } });
    await expect(client.get('any')).rejects.toMatchObject({ name: 'PortOneNetworkError' });
  } finally {
    server.close();
  }
});

it('the http transport ends the request itself when the attempt runs out of time', async () => {
  const { createServer } = await import('node:http');
  let closedAfterMs: number | undefined;
  const trickles = new Set<NodeJS.Timeout>();
  // An answer that trickles in, a byte every 50 ms: the socket is never idle, so only the attempt's timeout ends it.
  const server = createServer((req, res) => {
    const arrived = performance.now();
    res.writeHead(200, { 'content-type': 'application/json' });
    const trickle = setInterval(() => res.write(' '), 50);
    trickles.add(trickle);
    req.socket.once('close', () => {
      closedAfterMs = performance.now() - arrived;
      clearInterval(trickle);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const client = await clientOn(`http://127.0.0.1:${port}`, { timeoutMs: 200, callDeadlineMs: 5000, retry: { attempts: 1 } });
    await expect(client.get('any')).rejects.toBeInstanceOf(PortOneTimeoutError);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closedAfterMs).toBeDefined();
    expect(closedAfterMs!).toBeLessThan(1000);
  } finally {
    for (const t of trickles) clearInterval(t);
    server.closeAllConnections();
    server.close();
  }
});

it('refuses an unknown transport', async () => {
  await expect(clientOn('http://127.0.0.1:9', { transport: 'curl' })).rejects.toThrow("PortOneModule: transport must be 'http' or 'fetch'");
});
