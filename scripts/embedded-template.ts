/**
 * `node dist/scripts/embedded-template.js` (the last step of `npm run build`): makes the embedded
 * database's template for the installed PGlite in dist/embedded/, unless it is already there.
 * The api's first boot on a fresh DATA_DIR then copies it instead of running initdb.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedTemplateDir, writeEmbeddedTemplate } from '../libs/common/src/database/embedded-template';

async function main(): Promise<void> {
  const dir = embeddedTemplateDir(join(__dirname, '..'));
  if (existsSync(dir)) return;
  const started = performance.now();
  await writeEmbeddedTemplate(dir);
  process.stdout.write(`embedded database template: ${dir} (${Math.round(performance.now() - started)} ms)\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`embedded database template: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
