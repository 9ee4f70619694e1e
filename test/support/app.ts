import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LoggerService } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { DataSource } from 'typeorm';
import { generateKeyMaterial } from '@app/pii';
import { IamportSandbox } from '../../apps/iamport-sandbox/src/sandbox';
import { createApi } from '../../apps/api/src/bootstrap';
import { loadAppConfig, type AppConfig } from '../../apps/api/src/config/app-config';
import { createTestDatabase, type TestDatabase } from './test-db';

export interface TestApp {
  app: NestFastifyApplication;
  /** Pass to supertest: `request(t.http)`. */
  http: ReturnType<NestFastifyApplication['getHttpServer']>;
  sandbox: IamportSandbox;
  sandboxUrl: string;
  db: TestDatabase;
  /** Raw SQL on the test database through the app's own DataSource (PGlite has one session). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  config: AppConfig;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment variables for loadAppConfig (e.g. AGE_POLICY_MIN_AGE). */
  env?: Record<string, string>;
  logger?: LoggerService | false;
  /**
   * Capture the api's log lines (JSON, one per write) instead of discarding them: Nest's own
   * lines and the request lines go through pino to this stream (LOG_LEVEL defaults to info).
   * Without it, LOG_LEVEL defaults to silent and Nest logging is off (unless `logger` is given).
   */
  logStream?: DestinationStream;
  /** Reuse a database (e.g. to restart the app on the same data). */
  db?: TestDatabase;
  sandbox?: IamportSandbox;
}

/**
 * The real api (AppModule with its global pipe and filter, Fastify adapter) on a fresh test
 * database, with an in-process sandbox as upstream.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const sandbox = options.sandbox ?? new IamportSandbox({ logger: { log: () => undefined } });
  const sandboxUrl = options.sandbox ? sandbox.url : await sandbox.listen(0);
  const db = options.db ?? (await createTestDatabase());
  const keys = generateKeyMaterial();
  const config = loadAppConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: options.logStream ? 'info' : 'silent',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: String(db.poolSize),
    IAMPORT_BASE_URL: sandboxUrl,
    IAMPORT_IMP_KEY: 'sandbox_imp_key',
    IAMPORT_IMP_SECRET: 'sandbox_imp_secret',
    PII_ENCRYPTION_KEYS: keys.encryptionKeys,
    PII_HMAC_KEY: keys.hmacKey,
    ...options.env,
  });
  const app = await createApi({
    config,
    runtime: {
      database: { url: db.url, poolSize: db.poolSize, lockUrl: db.kind === 'server' ? db.url : undefined, embedded: db.kind === 'pglite' },
      pii: { encryptionKeys: config.pii.encryptionKeys!, hmacKey: config.pii.hmacKey! },
    },
    logger: options.logStream ? options.logger : (options.logger ?? false),
    logDestination: options.logStream,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const dataSource = app.get(DataSource);
  return {
    app,
    http: app.getHttpServer(),
    sandbox,
    sandboxUrl,
    db,
    query: (sql, params) => dataSource.query(sql, params),
    config,
    async close() {
      await app.close();
      if (!options.db) await db.drop();
      if (!options.sandbox) await sandbox.close();
    },
  };
}
