import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** Jest runs from the repository root (its rootDir). */
export const ROOT = process.cwd();

/** The TypeScript and JavaScript sources under `folders` (repository-relative, `/`-separated). */
export function sourceFiles(folders: string[]): string[] {
  const files: string[] = [];
  for (const folder of folders) {
    for (const entry of readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name)) continue;
      const path = relative(ROOT, join(entry.parentPath, entry.name)).split(sep).join('/');
      if (!/(^|\/)(node_modules|dist)\//.test(path)) files.push(path);
    }
  }
  return files.sort();
}

export function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(join(ROOT, path), 'utf8'), ts.ScriptTarget.Latest, true);
}

/** Every node of a file, depth first. */
export function* nodesOf(file: ts.SourceFile): Generator<ts.Node> {
  const stack: ts.Node[] = [file];
  while (stack.length > 0) {
    const node = stack.pop()!;
    yield node;
    stack.push(...[...node.getChildren(file)].reverse());
  }
}

/** `path:line` of a node, for failure messages. */
export function where(file: ts.SourceFile, node: ts.Node): string {
  return `${file.fileName}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}`;
}
