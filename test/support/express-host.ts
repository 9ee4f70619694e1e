// The libs on the Express adapter under an /api prefix, from this repository's sources (the
// example app consumes the packed package instead; test/examples boots that one).
import { Module, type INestApplication } from '@nestjs/common';
import { APP_FILTER, APP_PIPE, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from '@app/admin';
import { AgePolicyModule } from '@app/age-policy';
import { CertificationEntity, CertificationModule, VerificationTokenEntity } from '@app/certification';
import { DomainExceptionFilter, createValidationPipe } from '@app/common';
import { IamportModule } from '@app/iamport';
import { PiiModule, generateKeyMaterial } from '@app/pii';
import { UserEntity, UserModule } from '@app/user';
import { MIGRATIONS } from '../../migrations/migrations';

export interface ExpressHostOptions {
  databaseUrl: string;
  poolSize: number;
  sandboxUrl: string;
  impKey: string;
  impSecret: string;
}

export async function createExpressHost(o: ExpressHostOptions): Promise<INestApplication> {
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: o.databaseUrl,
        entities: [CertificationEntity, VerificationTokenEntity, UserEntity],
        autoLoadEntities: true,
        migrations: MIGRATIONS,
        migrationsRun: true,
        synchronize: false,
        extra: { max: o.poolSize },
      }),
      PiiModule.forRoot({ ...generateKeyMaterial(), isGlobal: true }),
      IamportModule.forRoot({ baseUrl: o.sandboxUrl, impKey: o.impKey, impSecret: o.impSecret, isGlobal: true }),
      AgePolicyModule.forRoot({ minAge: 19, mode: 'international', isGlobal: true }),
      CertificationModule.forRoot({ company: '호스트 서비스' }),
      UserModule.forRoot({}),
      AdminModule.forRoot({ apiKeys: '' }),
    ],
    providers: [
      { provide: APP_FILTER, useClass: DomainExceptionFilter },
      { provide: APP_PIPE, useFactory: createValidationPipe },
    ],
  })
  class ExpressHostModule {}

  const app = await NestFactory.create(ExpressHostModule, new ExpressAdapter(), { logger: false });
  app.setGlobalPrefix('api');
  return app;
}
