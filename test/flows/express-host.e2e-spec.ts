/**
 * The libs in a host application of their own: the Express adapter (the api runs Fastify), a
 * named TypeORM DataSource the host owns (`dataSource: 'identity'`), forRootAsync with an
 * injected observer, and a stricter age policy. Only the libs' public surfaces are used.
 */
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_PIPE, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import { AgePolicyModule } from '@app/age-policy';
import {
  CertificationEntity,
  CertificationModule,
  CertificationService,
  VerificationTokenEntity,
  type CertificationEvent,
} from '@app/certification';
import { DomainExceptionFilter, createValidationPipe } from '@app/common';
import { IamportModule } from '@app/iamport';
import { PiiModule, generateKeyMaterial } from '@app/pii';
import { UserEntity, UserModule, UserService, type UserEvent } from '@app/user';
import { IamportSandbox } from '../../apps/iamport-sandbox/src/sandbox';
import { MIGRATIONS } from '../../migrations/migrations';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { freshPhone } from '../support/people';

@Injectable()
class EventLog {
  readonly events: string[] = [];
}

@Module({ providers: [EventLog], exports: [EventLog] })
class EventLogModule {}

let db: TestDatabase;
let sandbox: IamportSandbox;
let app: INestApplication;
let eventLog: EventLog;

async function inbox(phone: string): Promise<string> {
  const res = await fetch(`${sandbox.url}/__sandbox/inbox?phone=${phone}`);
  return ((await res.json()) as { messages: Array<{ otp: string }> }).messages[0].otp;
}

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = new IamportSandbox({ impKey: 'host_key', impSecret: 'host_secret', logger: { log: () => undefined } });
  const sandboxUrl = await sandbox.listen(0);

  @Module({
    imports: [
      TypeOrmModule.forRoot({
        name: 'identity',
        type: 'postgres',
        url: db.url,
        entities: [CertificationEntity, VerificationTokenEntity, UserEntity],
        migrations: MIGRATIONS,
        migrationsRun: true,
        synchronize: false,
        extra: { max: db.poolSize },
      }),
      PiiModule.forRoot({ ...generateKeyMaterial(), isGlobal: true }),
      IamportModule.forRoot({ baseUrl: sandboxUrl, impKey: 'host_key', impSecret: 'host_secret', isGlobal: true }),
      AgePolicyModule.forRoot({ minAge: 19, mode: 'international', isGlobal: true }),
      EventLogModule,
      CertificationModule.forRootAsync({
        dataSource: 'identity',
        imports: [EventLogModule],
        inject: [EventLog],
        useFactory: (log: EventLog) => ({
          otpTtlSeconds: 120,
          company: '호스트 서비스',
          redirect: { successUrl: 'https://app.example.com/verified?from=cert', failureUrl: 'https://app.example.com/failed' },
          onEvent: (e: CertificationEvent) => log.events.push(e.type),
        }),
      }),
      UserModule.forRootAsync({
        dataSource: 'identity',
        imports: [EventLogModule],
        inject: [EventLog],
        useFactory: (log: EventLog) => ({ onEvent: (e: UserEvent) => log.events.push(e.type) }),
      }),
    ],
    providers: [
      { provide: APP_FILTER, useClass: DomainExceptionFilter },
      { provide: APP_PIPE, useFactory: createValidationPipe },
    ],
  })
  class HostModule {}

  app = await NestFactory.create(HostModule, new ExpressAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  eventLog = app.get(EventLog);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await sandbox?.close();
  await db?.drop();
});

it('runs a whole OTP signup on Express with a named DataSource, reporting events to the observer', async () => {
  const phone = freshPhone();
  const person = { name: '익스프레스', phone, birth: '19800101', gender_digit: '2', carrier: 'LGT', is_mvno: true };
  const requested = await request(app.getHttpServer()).post('/certifications/otp/request').send(person).expect(201);
  const otp = await inbox(phone);
  await request(app.getHttpServer())
    .post(`/certifications/otp/confirm/${requested.body.imp_uid}`)
    .send({ otp: otp === '000000' ? '111111' : '000000' })
    .expect(400);
  const view = await request(app.getHttpServer()).post(`/certifications/otp/confirm/${requested.body.imp_uid}`).send({ otp }).expect(200);
  expect(view.body).toMatchObject({ status: 'verified', name: '익***스', gender: 'female' });
  const created = await request(app.getHttpServer()).post('/users').send({ verification_token: view.body.verification_token }).expect(201);
  expect(await app.get(UserService).findById(created.body.id)).toMatchObject({ birthday: '1980-01-01' });
  const row = await app.get(CertificationService).findLive(requested.body.imp_uid);
  expect(row).toMatchObject({ status: 'used', carrier: 'LGT_MVNO', flow: 'otp' });

  // the same person again, through the popup flow (in a flow this browser started)
  const browser = request.agent(app.getHttpServer());
  const flow = await browser.post('/certifications/window').expect(201);
  const popup = await fetch(`${sandbox.url}/__sandbox/certifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...person, phone: freshPhone(), is_mvno: false, merchant_uid: flow.body.merchant_uid }),
  });
  const { imp_uid } = (await popup.json()) as { imp_uid: string };
  const second = await browser.post('/certifications').send({ imp_uid }).expect(200);
  const conflict = await request(app.getHttpServer()).post('/users').send({ verification_token: second.body.verification_token }).expect(409);
  expect(conflict.body.error.code).toBe('ALREADY_REGISTERED');

  expect(eventLog.events).toEqual([
    'otp_requested',
    'otp_mismatch',
    'token_issued',
    'otp_confirmed',
    'signup_completed',
    'token_issued',
    'popup_verified',
    'signup_conflict',
  ]);
});

it('applies the host age policy (19) and the configured redirect URLs', async () => {
  const phone = freshPhone();
  const person = { name: '미성년', phone, birth: '20100505', gender_digit: '3', carrier: 'SKT' };
  const browser = request.agent(app.getHttpServer());
  const flow = await browser.post('/certifications/window').expect(201);
  const popup = await fetch(`${sandbox.url}/__sandbox/certifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...person, merchant_uid: flow.body.merchant_uid }),
  });
  const { imp_uid } = (await popup.json()) as { imp_uid: string };
  const redirected = await browser.get(`/certifications/redirect?imp_uid=${imp_uid}&success=true`).expect(302);
  expect(redirected.headers.location).toBe(`https://app.example.com/verified?from=cert&imp_uid=${imp_uid}`);
  const failed = await browser.get(`/certifications/redirect?imp_uid=${imp_uid}&success=false`).expect(302);
  expect(failed.headers.location).toBe(`https://app.example.com/failed?imp_uid=${imp_uid}&error_code=NOT_CERTIFIED`);

  const view = await browser.post('/certifications').send({ imp_uid }).expect(200);
  const refused = await request(app.getHttpServer()).post('/users').send({ verification_token: view.body.verification_token }).expect(403);
  expect(refused.body.error).toMatchObject({ code: 'AGE_RESTRICTED', details: { min_age: 19, policy: 'international' } });
  const invalid = await request(app.getHttpServer()).post('/users').send({ verification_token: 'short', extra: 1 }).expect(400);
  expect(invalid.body.error.details.fields.map((x: { field: string }) => x.field).sort()).toEqual(['extra', 'verification_token']);
});
