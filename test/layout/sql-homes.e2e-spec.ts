/**
 * SQL lives in repositories: no `.query(` call and no SQL statement text in a string literal
 * under apps/ and libs/ outside `*.repository.ts` (and the specs beside them). libs/common's
 * database/ folder is the driver layer the repositories go through (its `.query(` calls,
 * `SELECT 1`, the migration lock), so it is exempt.
 */
import ts from 'typescript';
import { nodesOf, parse, sourceFiles, where } from './sources';

const EXEMPT = [/\.repository(\.spec)?\.ts$/, /(^|\/)migrations\//, /^libs\/common\/src\/database\//];

// Upper-case statement keywords, as the code writes SQL (prose in messages is not matched).
const SQL_STATEMENT = /\b(?:SELECT\b[\s\S]*?\bFROM|INSERT\s+INTO|UPDATE\s+[\w."]+\s+SET|DELETE\s+FROM)\b/;

function literalText(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
  return null;
}

function sqlIn(file: ts.SourceFile): string[] {
  const found: string[] = [];
  for (const node of nodesOf(file)) {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'query') {
      found.push(`${where(file, node)} .query( call`);
    }
    const text = literalText(node);
    if (text !== null && SQL_STATEMENT.test(text)) found.push(`${where(file, node)} SQL text: ${text.trim().split('\n')[0].slice(0, 60)}`);
  }
  return found;
}

describe('SQL homes', () => {
  it('sees SQL in a plain service file (the check itself)', () => {
    const source = "await db.query(`UPDATE users SET a = ${1}`);\nconst s = 'SELECT id FROM users';\nconst m = 'Select a carrier from the list';";
    const hits = sqlIn(ts.createSourceFile('x.service.ts', source, ts.ScriptTarget.Latest, true));
    expect(hits).toEqual(['x.service.ts:1 .query( call', 'x.service.ts:1 SQL text: UPDATE users SET a =', 'x.service.ts:2 SQL text: SELECT id FROM users']);
  });

  it('has no .query( call or SQL text outside repositories under apps/ and libs/', () => {
    const files = sourceFiles(['apps', 'libs']);
    expect(files.length).toBeGreaterThan(100);
    const found = files.filter((path) => !EXEMPT.some((pattern) => pattern.test(path))).flatMap((path) => sqlIn(parse(path)));
    expect(found.join('\n')).toBe('');
  });
});
