import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { EMBEDDED_START_PARAMS } from './embedded-postgres.params';

/**
 * A fresh embedded data folder, made once by `npm run build` (initdb in the build's own process),
 * that the api's first boot copies instead of running initdb: initdb peaks at ~800 MB, a copy at
 * nothing (docs/performance.md, "Seventh round").
 */

/** The PGlite release installed: a template is only used by the release that made it. */
export function pgliteVersion(): string {
  // PGlite's exports map hides package.json; it sits one folder above its entry point.
  const file = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Where the build puts the template and the api looks for it: `dist/embedded/pglite-<version>/`. */
export function embeddedTemplateDir(distDir: string): string {
  return join(distDir, 'embedded', `pglite-${pgliteVersion()}`);
}

/** The build's dist folder: above this file once compiled, else `./dist` (from the sources). */
export function builtDistDir(): string {
  const compiled = typeof __dirname === 'string' ? join(__dirname, '..', '..', '..', '..') : undefined;
  if (compiled && existsSync(join(compiled, 'libs', 'common', 'src', 'database'))) return compiled;
  return join(process.cwd(), 'dist');
}

/** Copies the template into the empty `dataDir`; false when the build made none for this PGlite. */
export function copyEmbeddedTemplate(dataDir: string, distDir = builtDistDir()): boolean {
  const template = embeddedTemplateDir(distDir);
  if (!existsSync(join(template, 'PG_VERSION'))) return false;
  cpSync(template, dataDir, { recursive: true });
  return true;
}

/** Runs initdb into `dir` (whole or not at all: made beside it, then renamed). */
export async function writeEmbeddedTemplate(dir: string): Promise<void> {
  const partial = `${dir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const db = await PGlite.create({ dataDir: partial, startParams: EMBEDDED_START_PARAMS });
  await db.close();
  renameSync(partial, dir);
}
