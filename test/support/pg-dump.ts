/** pg_dump / pg_restore of a test database (PostgreSQL 15 client tools), for the erasure and backup tests. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { spawnSync } from 'node:child_process';
import { serverDatabaseMissing } from './availability';

const run = promisify(execFile);

/** Why pg_dump cannot be used here (no server database, or no client tools), or null. */
export function pgDumpMissing(): string | null {
  const server = serverDatabaseMissing();
  if (server) return server;
  const probe = spawnSync('pg_dump', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? null : 'pg_dump is not installed (PostgreSQL 15 client tools)';
}

/** `pg_dump --data-only` as plain SQL text. */
export async function dumpDataOnly(url: string): Promise<string> {
  const { stdout } = await run('pg_dump', ['--data-only', '--no-owner', `--dbname=${url}`], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/** A full dump in the custom format, to `file`. */
export async function dumpToFile(url: string, file: string): Promise<void> {
  await run('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${url}`]);
}

/** Restores a custom-format dump into an (empty) database. */
export async function restoreFromFile(url: string, file: string): Promise<void> {
  await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${url}`, file]);
}
