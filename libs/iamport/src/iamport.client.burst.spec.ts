/**
 * Issue 15's burst target: 15 upstream 5xx spread over 30 concurrent GETs, with the client's
 * default retry and breaker options, and at least 27 of the 30 calls complete.
 */
import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { IamportClient, IamportModule, type IamportCallEvent } from '@app/iamport';
import { IamportSandbox } from '../../../apps/iamport-sandbox/src/sandbox';
import { CapturingLogger } from '../../../test/support/capturing-logger';

const sandbox = new IamportSandbox({ logger: { log: () => undefined } });
const logs = new CapturingLogger();
let baseUrl = '';
let moduleRef: TestingModule;

async function control(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox control ${method} ${path} answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  Logger.overrideLogger(logs);
  baseUrl = await sandbox.listen(0);
});

afterAll(async () => {
  await moduleRef?.close();
  await sandbox.close();
});

it('15 upstream 5xx spread over 30 concurrent GETs: at least 27 calls complete', async () => {
  const events: IamportCallEvent[] = [];
  moduleRef = await Test.createTestingModule({
    imports: [IamportModule.forRoot({ baseUrl, impKey: 'sandbox_imp_key', impSecret: 'sandbox_imp_secret', onCall: (e) => events.push(e) })],
  })
    .setLogger(logs)
    .compile();
  const client = moduleRef.get(IamportClient);
  const impUids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const { imp_uid } = await control('POST', '/__sandbox/certifications', {
      name: '홍길동', phone: `0101234${String(1000 + i)}`, birth: '19900101', gender_digit: '1', carrier: 'SKT',
    });
    impUids.push(imp_uid as string);
  }
  await client.getCertification(impUids[0]); // token cached: the burst is GETs only
  await control('POST', '/__sandbox/faults', { path_prefix: '/certifications/', method: 'GET', status: 503, probability: 0.5, times: 15 });

  const results = await Promise.allSettled(impUids.map((impUid) => client.getCertification(impUid)));
  const completed = results.filter((r) => r.status === 'fulfilled').length;
  const served503 = events.filter((e) => e.operation === 'getCertification' && e.outcome === 'server_error').length;
  expect(served503).toBe(15);
  expect(completed).toBeGreaterThanOrEqual(27);
});
