import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface FunctionSize {
  readonly file: string;
  readonly name: string;
  readonly lines: number;
  /** The comment just above it says why it is long (`long because …`). */
  readonly justified: boolean;
}

/** Every .ts and .tsx file below `dirs` (relative to `root`), node_modules excluded. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      if (entry === 'node_modules') continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(path)) out.push(relative(root, path));
    }
  };
  for (const dir of dirs) walk(join(root, dir));
  return out.sort();
}

export const lineCount = (root: string, file: string): number =>
  readFileSync(join(root, file), 'utf8').split('\n').length;

const nameOf = (node: ts.Node, source: ts.SourceFile): string => {
  const named = node as { name?: ts.Node };
  if (named.name) return named.name.getText(source);
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  return '(anonymous)';
};

/** Functions, methods and arrow functions of a file with their length in lines. */
export function functionSizes(root: string, file: string): FunctionSize[] {
  const text = readFileSync(join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const sizes: FunctionSize[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const holder = ts.isVariableDeclaration(node.parent) ? node.parent.parent.parent : node;
      const comments = ts.getLeadingCommentRanges(text, holder.getFullStart()) ?? [];
      const justified = comments.some((range) => /long because/i.test(text.slice(range.pos, range.end)));
      sizes.push({ file, name: nameOf(node, source), lines: end - start + 1, justified });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sizes;
}
