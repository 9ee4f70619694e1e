/**
 * No source reaches into another package's build output (`@scope/pkg/dist/...`, `pkg/dist/...`)
 * or into this repository's dist/: those paths are not a package's public surface.
 */
import ts from 'typescript';
import { nodesOf, parse, sourceFiles, where } from './sources';

const FOLDERS = ['apps', 'libs', 'test', 'scripts', 'bench', 'examples', 'migrations'];

/** The module specifiers of imports, exports, require(), import() and jest.mock() of a file. */
function specifiersOf(file: ts.SourceFile): Array<{ node: ts.Node; text: string }> {
  const found: Array<{ node: ts.Node; text: string }> = [];
  for (const node of nodesOf(file)) {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ node, text: node.moduleSpecifier.text });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ node, text: node.argument.literal.text });
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression.getText(file);
      if (['require', 'jest.mock', 'require.resolve'].includes(callee) || node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        found.push({ node, text: node.arguments[0].text });
      }
    }
  }
  return found;
}

function isDistPath(specifier: string): boolean {
  return /^(?:@[^/]+\/)?[^./][^/]*\/(?:.*\/)?dist(?:\/|$)/.test(specifier) || /^(?:\.\.?\/)+(?:.*\/)?dist\//.test(specifier);
}

describe('dist/ imports', () => {
  it('tells a dist path from a package path', () => {
    expect(isDistPath('@nestjs/throttler/dist/ip')).toBe(true);
    expect(isDistPath('some-lib/dist')).toBe(true);
    expect(isDistPath('../../dist/apps/api/src/main.js')).toBe(true);
    expect(isDistPath('@nestjs/common/constants')).toBe(false);
    expect(isDistPath('swagger-ui-dist/absolute-path.js')).toBe(false);
    expect(isDistPath('./distance')).toBe(false);
  });

  it('has no import of a dist/ path in the sources', () => {
    const files = sourceFiles(FOLDERS);
    expect(files.length).toBeGreaterThan(150);
    const found: string[] = [];
    for (const path of files) {
      const file = parse(path);
      for (const { node, text } of specifiersOf(file)) if (isDistPath(text)) found.push(`${where(file, node)} imports ${text}`);
    }
    expect(found.join('\n')).toBe('');
  });
});
