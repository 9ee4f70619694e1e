/**
 * `npm run erasures:replay -- --since <date> [--from <database url>] [--dry-run] [--json] [--embedded]`:
 * after a restore, re-applies every erasure recorded in an audit log since <date> to the api's
 * database (DATABASE_URL). See docs/operations.md, Backups.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AuditLogRepository, ErasureReplayService } from '@app/admin';
import { Database } from '@app/common';
import { dataSourceOptions } from '../apps/api/src/database';
import { prepareRuntime } from '../apps/api/src/runtime';
import { adminCommandModule, commandConfig, runAsMain, schemaIsCurrent, type CliIo } from './lib/cli';

const USAGE = 'usage: npm run erasures:replay -- --since <ISO date> [--from <database url>] [--dry-run] [--json] [--embedded]';

export type ReplayCliIo = CliIo;

interface ReplayArgs {
  since: Date;
  from: string | null;
  dryRun: boolean;
  json: boolean;
  embedded: boolean;
}

function parseArgs(argv: readonly string[]): ReplayArgs | string {
  const args: ReplayArgs = { since: new Date(NaN), from: null, dryRun: false, json: false, embedded: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--dry-run') args.dryRun = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--embedded') args.embedded = true;
    else if (arg === '--since' && i + 1 < argv.length) args.since = new Date(argv[++i]);
    else if (arg === '--from' && i + 1 < argv.length) args.from = argv[++i];
    else return `erasures:replay: unknown or incomplete argument; ${USAGE}`;
  }
  if (Number.isNaN(args.since.getTime())) return `erasures:replay: --since <date> is required (ISO 8601, e.g. 2026-11-30T03:00:00Z); ${USAGE}`;
  return args;
}

/** The whole command; returns the exit code (0 done, 1 failed, 2 usage / refused). */
export async function runErasuresReplayCli(io: ReplayCliIo): Promise<number> {
  const args = parseArgs(io.argv);
  if (typeof args === 'string') {
    io.err(args);
    return 2;
  }
  const config = commandConfig(io, args.embedded, 'erasures:replay: no DATABASE_URL (the embedded database of the api): stop the api and add --embedded');
  if (typeof config === 'number') return config;
  const runtime = await prepareRuntime(config);
  const app = await NestFactory.createApplicationContext(adminCommandModule(config, runtime), { logger: ['error'], abortOnError: false });
  // The audit log to read: another database (--from, e.g. the damaged primary or a later copy) or this one.
  const source = args.from ? await new DataSource(dataSourceOptions({ url: args.from, poolSize: 1 })).initialize() : app.get(DataSource);
  try {
    if (!(await schemaIsCurrent('erasures:replay', app.get(DataSource), io))) return 1;
    const erasures = await new AuditLogRepository(new Database(source)).listErasuresSince(args.since);
    if (args.dryRun) {
      const accounts = erasures.filter((e) => e.action === 'user.erase').length;
      io.out(
        args.json
          ? JSON.stringify({ dry_run: true, since: args.since.toISOString(), recorded: erasures.length, accounts, verifications: erasures.length - accounts })
          : `erasures:replay (dry run): ${erasures.length} erasure(s) recorded since ${args.since.toISOString()} ` +
              `(${accounts} account(s), ${erasures.length - accounts} verification(s)) would be re-applied`,
      );
      return 0;
    }
    const run = await app.get(ErasureReplayService).replay(erasures);
    io.out(
      args.json
        ? JSON.stringify({ since: args.since.toISOString(), ...run })
        : `erasures:replay: ${run.recorded} erasure(s) recorded since ${args.since.toISOString()}: ${run.accounts_erased} account(s) ` +
            `and ${run.verifications_erased} verification(s) erased again, ${run.unchanged} unchanged; upstream deletions are ` +
            `queued for the api's worker`,
    );
    return 0;
  } catch (error) {
    io.err(`erasures:replay failed: ${(error as Error)?.name ?? 'error'}`);
    return 1;
  } finally {
    if (args.from && source.isInitialized) await source.destroy();
    await app.close();
    await runtime.close();
  }
}

if (typeof require !== 'undefined' && require.main === module) runAsMain('erasures:replay', runErasuresReplayCli);
