/**
 * `npm run retention:run [-- --dry-run] [--json] [--embedded]`: one retention run with the api's
 * environment on a minimal application context (see docs/admin.md, Retention).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { RetentionService } from '@app/admin';
import { prepareRuntime } from '../apps/api/src/runtime';
import { adminCommandModule, commandConfig, runAsMain, schemaIsCurrent, type CliIo } from './lib/cli';

export type RetentionCliIo = CliIo;

/** The whole command; returns the exit code (0 done, 1 failed, 2 usage / refused). */
export async function runRetentionCli(io: RetentionCliIo): Promise<number> {
  const flags = new Set(io.argv);
  const known = new Set(['--dry-run', '--json', '--embedded']);
  const unknown = [...flags].filter((f) => !known.has(f));
  if (unknown.length > 0) {
    io.err(`retention:run: unknown argument(s); usage: npm run retention:run [-- --dry-run] [--json] [--embedded]`);
    return 2;
  }
  const config = commandConfig(
    io,
    flags.has('--embedded'),
      'retention:run: no DATABASE_URL, so the data is in the embedded database of the api (DATA_DIR), which one ' +
        'process at a time may open. The running api already applies retention daily at 03:00 Asia/Seoul; to run ' +
      'it now, stop the api and add --embedded (npm run retention:run -- --embedded).',
  );
  if (typeof config === 'number') return config;
  const runtime = await prepareRuntime(config);
  const app = await NestFactory.createApplicationContext(adminCommandModule(config, runtime, config.retention), {
    logger: ['error'],
    abortOnError: false,
  });
  try {
    if (!(await schemaIsCurrent('retention:run', app.get(DataSource), io))) return 1;
    const retention = app.get(RetentionService);
    const days = config.retention.unusedVerificationDays;
    if (flags.has('--dry-run')) {
      const now = new Date();
      const rules = await retention.plan(now);
      const eligible = rules.filter((r) => r.table === 'certifications').reduce((sum, r) => sum + r.due, 0);
      const cutoff = retention.cutoff(now).toISOString();
      if (flags.has('--json')) {
        io.out(JSON.stringify({ dry_run: true, eligible, cutoff, days, rules }));
        return 0;
      }
      io.out(`retention (dry run): ${eligible} verification(s) would lose their personal data (unused ones: created before ${cutoff}, ${days} days)`);
      for (const rule of rules) {
        const what = rule.effect === 'erase_pii' ? 'would lose their personal data' : 'would be deleted';
        io.out(rule.cutoff === null ? `  ${rule.rule} (${rule.table}): off` : `  ${rule.rule} (${rule.table}): ${rule.due} row(s) before ${rule.cutoff} ${what}`);
      }
      return 0;
    }
    const full = await retention.runAll();
    const result = full.verifications;
    if (flags.has('--json')) {
      io.out(JSON.stringify({ ...result, audit_log: full.audit_log, upstream_deletions: full.upstream_deletions }));
      return 0;
    }
    io.out(
      `retention: erased the personal data of ${result.erased} unused verification(s) created before ${result.cutoff} ` +
        `(${result.days} days) in ${result.batches} batch(es); ${result.upstream_queued} upstream deletion(s) queued for the api's worker`,
    );
    io.out(`  audit_log: ${full.audit_log.deleted} row(s) older than ${full.audit_log.days} days deleted`);
    io.out(`  upstream_deletions: ${full.upstream_deletions.deleted} finished row(s) older than ${full.upstream_deletions.days} days deleted`);
    return 0;
  } catch (error) {
    io.err(`retention:run failed: ${(error as Error)?.name ?? 'error'}: ${(error as Error)?.message ?? ''}`);
    return 1;
  } finally {
    await app.close();
    await runtime.close();
  }
}

// Run when executed (node dist/scripts/retention-run.js), not when imported by a test.
if (typeof require !== 'undefined' && require.main === module) runAsMain('retention:run', runRetentionCli);
