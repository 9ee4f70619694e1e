/**
 * `npm run pii:rotate [-- --batch-size N] [--max-batches N] [--json] [--embedded]`: re-encrypts
 * every PII value of `certifications` and `users` under the first key of PII_ENCRYPTION_KEYS (and
 * in the column-bound format), so an older key can then be removed (docs/operations.md, PII keys).
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { CertificationRepository } from '@app/certification';
import { Database } from '@app/common';
import { PiiCipher, reencryptTable, type ReencryptionResult, type ReencryptionStore } from '@app/pii';
import { UserRepository } from '@app/user';
import { dataSourceOptions } from '../apps/api/src/database';
import { prepareRuntime } from '../apps/api/src/runtime';
import { commandConfig, runAsMain, schemaIsCurrent, type CliIo } from './lib/cli';

export type PiiRotateIo = CliIo;

const USAGE = 'usage: npm run pii:rotate [-- --batch-size N] [--max-batches N] [--json] [--embedded]';

interface Flags {
  batchSize: number;
  maxBatches?: number;
  json: boolean;
  embedded: boolean;
}

function parseFlags(argv: readonly string[]): Flags | null {
  const flags: Flags = { batchSize: 500, json: false, embedded: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') flags.json = true;
    else if (arg === '--embedded') flags.embedded = true;
    else if (arg === '--batch-size' || arg === '--max-batches') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 100_000) return null;
      if (arg === '--batch-size') flags.batchSize = n;
      else flags.maxBatches = n;
    } else return null;
  }
  return flags;
}

/** The whole command; returns the exit code (0 done, 1 failed or values left undecryptable, 2 usage / refused). */
export async function runPiiRotateCli(io: PiiRotateIo): Promise<number> {
  const flags = parseFlags(io.argv);
  if (flags === null) {
    io.err(`pii:rotate: bad arguments; ${USAGE}`);
    return 2;
  }
  const config = commandConfig(
    io,
    flags.embedded,
    'pii:rotate: no DATABASE_URL; the embedded database (DATA_DIR) opens in one process at a time: stop the api and add --embedded',
  );
  if (typeof config === 'number') return config;
  const runtime = await prepareRuntime(config);
  const dataSource = await new DataSource(dataSourceOptions({ url: runtime.database.url, poolSize: 1 })).initialize();
  try {
    if (!(await schemaIsCurrent('pii:rotate', dataSource, io))) return 1;
    const cipher = PiiCipher.fromConfig(runtime.pii.encryptionKeys);
    const db = new Database(dataSource);
    // certifications first: a signup copies its ciphertexts into users.
    const tables: Array<[string, ReencryptionStore]> = [
      ['certifications', new CertificationRepository(db)],
      ['users', new UserRepository(db)],
    ];
    const results: Record<string, ReencryptionResult> = {};
    for (const [table, store] of tables) {
      results[table] = await reencryptTable(store, cipher, {
        batchSize: flags.batchSize,
        maxBatches: flags.maxBatches,
        onBatch: (r) => {
          if (!flags.json) io.out(`pii:rotate: ${table}: batch ${r.batches}, ${r.reencrypted} re-encrypted so far`);
        },
      });
    }
    const undecryptable = Object.values(results).reduce((n, r) => n + r.undecryptable, 0);
    const unfinished = Object.values(results).some((r) => r.stoppedEarly || r.changedMeanwhile > 0);
    if (flags.json) {
      io.out(JSON.stringify({ active_kid: cipher.activeKid, tables: results, done: !unfinished && undecryptable === 0 }));
    } else {
      for (const [table, r] of Object.entries(results)) {
        io.out(
          `pii:rotate: ${table}: ${r.reencrypted} row(s) re-encrypted under "${cipher.activeKid}" in ${r.batches} batch(es)` +
            (r.changedMeanwhile ? `, ${r.changedMeanwhile} changed meanwhile` : '') +
            (r.undecryptable ? `, ${r.undecryptable} not decryptable with the configured keys` : '') +
            (r.stoppedEarly ? ' (stopped by --max-batches: run again to continue)' : ''),
        );
      }
      io.out(
        unfinished || undecryptable
          ? 'pii:rotate: not finished: run it again (it continues where it stopped) before removing an old key'
          : `pii:rotate: every value is under "${cipher.activeKid}"; the other keys of PII_ENCRYPTION_KEYS can be removed`,
      );
    }
    return undecryptable > 0 ? 1 : 0;
  } catch (error) {
    io.err(`pii:rotate failed: ${(error as Error)?.name ?? 'error'}: ${(error as Error)?.message ?? ''}`);
    return 1;
  } finally {
    await dataSource.destroy();
    await runtime.close();
  }
}

// Run when executed (node dist/scripts/pii-rotate.js), not when imported by a test.
if (typeof require !== 'undefined' && require.main === module) runAsMain('pii:rotate', runPiiRotateCli);
