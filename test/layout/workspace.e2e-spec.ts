/**
 * The Nest workspace: nest-cli.json names every app and lib the way tsconfig's aliases do, and
 * `npm run build` goes through `nest build` into the dist/ paths the scripts, Dockerfile and bench use.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './sources';

interface Project {
  type: 'application' | 'library';
  root: string;
  sourceRoot: string;
  entryFile: string;
  compilerOptions?: { tsConfigPath?: string };
}

const cli = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as { monorepo: boolean; projects: Record<string, Project> };
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const paths = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } })
  .compilerOptions.paths;

describe('the Nest workspace', () => {
  it('is a monorepo of the two apps and every lib of libs/', () => {
    expect(cli.monorepo).toBe(true);
    const libs = readdirSync(join(ROOT, 'libs')).filter((name) => existsSync(join(ROOT, 'libs', name, 'src', 'index.ts')));
    const expected = Object.fromEntries([
      ['api', 'application'],
      ['iamport-sandbox', 'application'],
      ...libs.map((name) => [name, 'library']),
    ]);
    expect(Object.fromEntries(Object.entries(cli.projects).map(([name, p]) => [name, p.type]))).toEqual(expected);
  });

  it('points each project at its folder, entry file and tsconfig; each lib is @app/<name>', () => {
    for (const [name, project] of Object.entries(cli.projects)) {
      const folder = project.type === 'application' ? `apps/${name}` : `libs/${name}`;
      expect(project).toMatchObject({ root: folder, sourceRoot: `${folder}/src` });
      expect(existsSync(join(ROOT, project.sourceRoot, `${project.entryFile}.ts`))).toBe(true);
      expect(existsSync(join(ROOT, project.compilerOptions?.tsConfigPath ?? 'missing'))).toBe(true);
      if (project.type === 'library') expect(paths[`@app/${name}`]).toEqual([`./${folder}/src/index.ts`]);
    }
  });

  it('builds through nest build into dist/apps/<app>/src/main.js (npm run build ran before the tests)', () => {
    expect(pkg.scripts.build).toBe('nest build api && nest build iamport-sandbox && node dist/scripts/embedded-template.js');
    for (const app of ['api', 'iamport-sandbox']) expect(existsSync(join(ROOT, 'dist', 'apps', app, 'src', 'main.js'))).toBe(true);
    for (const script of ['start', 'admin-key', 'retention-run']) expect(existsSync(join(ROOT, 'dist', 'scripts', `${script}.js`))).toBe(true);
    expect(existsSync(join(ROOT, 'dist', 'migrations', 'data-source.js'))).toBe(true);
    expect(existsSync(join(ROOT, 'dist', 'bench', 'run.js'))).toBe(true);
    // the build's last step leaves the embedded default's fresh data folder for a first boot to copy
    const embedded = readdirSync(join(ROOT, 'dist', 'embedded'));
    expect(embedded).toEqual([expect.stringMatching(/^pglite-\d+\.\d+\.\d+$/)]);
    expect(existsSync(join(ROOT, 'dist', 'embedded', embedded[0], 'PG_VERSION'))).toBe(true);
    // the path aliases are rewritten: nothing compiled requires '@app/...'
    const compiled = readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(compiled.length).toBeGreaterThan(150);
    expect(compiled.filter((f) => /require\("@app\//.test(readFileSync(join(ROOT, 'dist', f), 'utf8')))).toEqual([]);
  });
});
