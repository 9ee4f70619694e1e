#!/usr/bin/env node
// npm run pack [-- --out <dir>] [-- --dry-run]: builds @iamport-identity/nest from libs/ and
// migrations/ and writes its tarball (default dist-pack/). Steps: copy the lib sources (no specs)
// into a work folder, one folder per subpath, rewrite the `@app/<lib>` aliases to relative paths,
// compile with tsc (CommonJS + .d.ts), then `npm pack` the result.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = join(ROOT, 'packages', 'identity');
const LIBS = ['iamport', 'portone', 'certification', 'user', 'age-policy', 'admin', 'pii', 'common'];
// The api's no-database dev mode (PGlite, 27 MB): a host brings its own PostgreSQL.
const LEFT_OUT = /^common\/database\/embedded-(postgres|template)(\.[a-z]+)?\.ts$/;

const args = process.argv.slice(2);
const outDir = resolve(ROOT, args.includes('--out') ? args[args.indexOf('--out') + 1] : 'dist-pack');
const dryRun = args.includes('--dry-run');
const work = join(PACKAGE, '.build', `${process.pid}-${randomBytes(3).toString('hex')}`);
const stage = join(work, 'src');
const pkgDir = join(work, 'package');

function tsFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !/\.(spec|e2e-spec)\.ts$/.test(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((file) => !file.split(sep).includes('testing')); // the specs' in-memory fakes
}

function stageFile(from, to, transform = (text) => text) {
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, transform(readFileSync(from, 'utf8')));
}

function rewriteAliases(file) {
  const text = readFileSync(file, 'utf8');
  // Module specifiers only (`from '…'`, `import('…')`, `import '…'`): Symbol.for('@app/…') keys stay.
  const specifier = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])@app\/([a-z-]+)\2/g;
  const rewritten = text.replace(specifier, (_, head, quote, lib) => {
    if (!LIBS.includes(lib)) throw new Error(`${relative(stage, file)}: unknown alias @app/${lib}`);
    let target = relative(dirname(file), join(stage, lib, 'index')).split(sep).join('/');
    if (!target.startsWith('.')) target = `./${target}`;
    return `${head}${quote}${target}${quote}`;
  });
  if (/(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]@app\//.test(rewritten)) throw new Error(`${relative(stage, file)}: an @app/ alias is left`);
  if (/embedded-(postgres|template)/.test(rewritten)) throw new Error(`${relative(stage, file)}: needs the embedded database, which the package leaves out`);
  writeFileSync(file, rewritten);
}

function build() {
  for (const lib of LIBS) {
    const src = join(ROOT, 'libs', lib, 'src');
    for (const file of tsFiles(src)) {
      const key = `${lib}/${file.split(sep).join('/')}`;
      if (LEFT_OUT.test(key)) continue;
      stageFile(join(src, file), join(stage, lib, file), (text) =>
        key === 'common/index.ts' ? text.split('\n').filter((line) => !line.includes('./database/embedded-postgres')).join('\n') : text,
      );
    }
  }
  for (const file of readdirSync(join(ROOT, 'migrations'))) {
    if (file.endsWith('.ts') && file !== 'data-source.ts') stageFile(join(ROOT, 'migrations', file), join(stage, 'migrations', file));
  }
  stageFile(join(PACKAGE, 'src', 'migrations.ts'), join(stage, 'migrations', 'index.ts'));
  for (const file of tsFiles(stage)) rewriteAliases(join(stage, file));

  mkdirSync(pkgDir, { recursive: true });
  for (const file of ['package.json', 'README.md', 'CHANGELOG.md']) cpSync(join(PACKAGE, file), join(pkgDir, file));
  const tsconfig = {
    extends: relative(work, join(PACKAGE, 'tsconfig.build.json')).split(sep).join('/'),
    compilerOptions: { rootDir: 'src', outDir: 'package/dist' },
    include: ['src/**/*.ts'],
  };
  writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  // The work folder's package.json has no "type": nodenext compiles to CommonJS.
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'identity-build', private: true }));
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'lib', 'tsc.js'), '-p', join(work, 'tsconfig.json')], { stdio: 'inherit' });
  for (const [subpath, target] of Object.entries(JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).exports)) {
    for (const file of typeof target === 'string' ? [target] : Object.values(target)) {
      if (!existsSync(join(pkgDir, file))) throw new Error(`exports["${subpath}"] points at ${file}, which the build did not write`);
    }
  }
}

try {
  build();
  mkdirSync(outDir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const packed = JSON.parse(
    execFileSync(npm, ['pack', '--json', '--pack-destination', outDir, ...(dryRun ? ['--dry-run'] : [])], { cwd: pkgDir, encoding: 'utf8' }),
  )[0];
  if (dryRun) for (const f of packed.files) process.stdout.write(`${f.path}\n`);
  process.stdout.write(`${dryRun ? '(dry run) ' : ''}${join(outDir, packed.filename)} (${packed.entryCount} files, ${packed.size} bytes)\n`);
} finally {
  if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
  if (existsSync(join(PACKAGE, '.build')) && readdirSync(join(PACKAGE, '.build')).length === 0) rmSync(join(PACKAGE, '.build'), { recursive: true });
}
