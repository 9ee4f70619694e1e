/**
 * No import cycles in apps/ and libs/, type-only imports included (`npm run check:cycles`, dpdm).
 * The fixture case shows the check does see a cycle made of `import type` only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './sources';

const DPDM = join(ROOT, 'node_modules', 'dpdm', 'lib', 'bin', 'dpdm.js');

function cyclesIn(output: string): string[] {
  return output
    .split('\n')
    .map((line) => /^\s*\d+\)\s+(.+)$/.exec(line)?.[1].trim())
    .filter((cycle): cycle is string => cycle !== undefined);
}

const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };

describe('import cycles', () => {
  it('finds a cycle made of type-only imports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycles-'));
    try {
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b';\nexport interface A { b?: B }\n");
      writeFileSync(join(dir, 'b.ts'), "import type { A } from './a';\nexport interface B { a?: A }\n");
      const run = spawnSync(process.execPath, [DPDM, '--no-warning', '--no-tree', '--exit-code', 'circular:1', join(dir, '*.ts')], { cwd: dir, env, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(cyclesIn(run.stdout)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has none in apps/ and libs/ (npm run check:cycles)', () => {
    const run = spawnSync('npm', ['run', '--silent', 'check:cycles'], { cwd: ROOT, env, encoding: 'utf8' });
    const analyzed = /\[(\d+)\/\d+\] Analyze done/.exec(run.stdout + run.stderr);
    expect(Number(analyzed?.[1] ?? 0)).toBeGreaterThan(100);
    const cycles = cyclesIn(run.stdout);
    expect(cycles.map((c, i) => `cycle ${i + 1}: ${c}`).join('\n')).toBe('');
    expect(run.status).toBe(0);
  });
});
