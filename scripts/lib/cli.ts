import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AdminModule, type AdminModuleOptions } from '@app/admin';
import { IamportModule } from '@app/iamport';
import { PiiModule } from '@app/pii';
import { ConfigError, loadAppConfig, type AppConfig } from '../../apps/api/src/config/app-config';
import { dataSourceOptions } from '../../apps/api/src/database';
import type { ApiRuntime } from '../../apps/api/src/runtime';

/** What an operator command reads and writes; tests pass their own. */
export interface CliIo {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * The api's configuration for a command, or its exit code (2) after saying why: a config error,
 * or no DATABASE_URL without --embedded (the embedded database opens in one process at a time).
 */
export function commandConfig(io: CliIo, embedded: boolean, noDatabaseMessage: string): AppConfig | number {
  let config: AppConfig;
  try {
    config = loadAppConfig(io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
  if (!config.database.url && !embedded) {
    io.err(noDatabaseMessage);
    return 2;
  }
  return config;
}

/** False (after saying so) when migrations are pending: a command never runs on an old schema. */
export async function schemaIsCurrent(name: string, dataSource: DataSource, io: CliIo): Promise<boolean> {
  if (!(await dataSource.showMigrations())) return true;
  io.err(`${name}: the database schema is not up to date; start the api once or run npm run migration:run`);
  return false;
}

@Module({})
class AdminCommandModule {}

/** The admin lib on a minimal context: serves no requests, runs no schedule, retries nothing by itself. */
export function adminCommandModule(config: AppConfig, runtime: ApiRuntime, admin: Partial<AdminModuleOptions> = {}): DynamicModule {
  return {
    module: AdminCommandModule,
    imports: [
      TypeOrmModule.forRoot(dataSourceOptions({ url: runtime.database.url, poolSize: 2 })),
      PiiModule.forRoot({ ...runtime.pii, isGlobal: true }),
      IamportModule.forRoot({
        baseUrl: config.iamport.baseUrl,
        impKey: config.iamport.impKey,
        impSecret: config.iamport.impSecret,
        timeoutMs: config.iamport.timeoutMs,
        isGlobal: true,
      }),
      AdminModule.forRoot({ ...admin, apiKeys: '', retentionSchedule: false, upstreamRetryIntervalMs: 0 }),
    ],
  };
}

/** Runs a command on the process's argv and streams and exits with its code (called only when its file is executed). */
export function runAsMain(name: string, command: (io: CliIo) => Promise<number>): void {
  command({
    argv: process.argv.slice(2),
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${name} failed: ${(error as Error)?.name ?? 'error'}\n`);
      process.exit(1);
    },
  );
}
