// The dozen lines of docs/ecosystem.md, as they are: booted by test/examples/monolith.e2e-spec.ts.
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgePolicyModule } from '@iamport-identity/nest/age-policy';
import { CertificationModule } from '@iamport-identity/nest/certification';
import { DomainExceptionFilter, createValidationPipe } from '@iamport-identity/nest/common';
import { IamportModule } from '@iamport-identity/nest/iamport';
import { IDENTITY_MIGRATIONS } from '@iamport-identity/nest/migrations';
import { PiiModule } from '@iamport-identity/nest/pii';
import { UserModule } from '@iamport-identity/nest/user';

const fromConfig = { inject: [ConfigService], isGlobal: true };

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TypeOrmModule.forRootAsync({ inject: [ConfigService], useFactory: (c: ConfigService) => ({
      type: 'postgres', url: c.getOrThrow('DATABASE_URL'), autoLoadEntities: true, migrations: [...IDENTITY_MIGRATIONS], migrationsRun: true }) }),
    PiiModule.forRootAsync({ ...fromConfig, useFactory: (c: ConfigService) => ({
      encryptionKeys: c.getOrThrow('PII_ENCRYPTION_KEYS'), hmacKey: c.getOrThrow('PII_HMAC_KEY') }) }),
    IamportModule.forRootAsync({ ...fromConfig, useFactory: (c: ConfigService) => ({ baseUrl: c.get('IAMPORT_BASE_URL', 'https://api.iamport.kr'),
      impKey: c.getOrThrow('IAMPORT_IMP_KEY'), impSecret: c.getOrThrow('IAMPORT_IMP_SECRET') }) }),
    AgePolicyModule.forRootAsync({ ...fromConfig, useFactory: (c: ConfigService) => ({ minAge: Number(c.get('MIN_AGE', 19)) }) }),
    CertificationModule.forRootAsync({ ...fromConfig, useFactory: (c: ConfigService) => ({ company: c.get('SERVICE_NAME') }) }),
    UserModule.forRootAsync({ useFactory: () => ({}) }),
  ],
  providers: [
    { provide: APP_FILTER, useClass: DomainExceptionFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
export class MinimalHostModule {}
