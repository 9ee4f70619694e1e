/**
 * Debian's Chromium for the browser tests (playwright-core drives it; Playwright downloads no
 * browser): installed by test/docs/install-chromium.sh when missing, else the reason to skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Installs Chromium when missing (synchronously, while the test file is collected); why not, if not. */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  process.stdout.write(`\n[browser] ${CHROMIUM} is missing: running test/docs/install-chromium.sh (apt-get)\n`);
  const run = spawnSync('bash', [join(process.cwd(), 'test', 'docs', 'install-chromium.sh')], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (run.status === 0 && existsSync(CHROMIUM)) return null;
  const output = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ');
  return `install-chromium.sh failed (${run.error ? run.error.message : `exit ${run.status}`}): ${output}`;
}
