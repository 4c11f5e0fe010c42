#!/usr/bin/env node
/**
 * The code-shape limits of CONTRIBUTING.md, measured: functions longer than 80 lines and blocks nested deeper than 4
 * in src/ (the JS twin of the kernels, src/backends/js/, is exempt, like assembly/). An else-if chain counts as one
 * level. Exits 1 when anything is over, so it can gate a change: `node scripts/code-metrics.mjs`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const MAX_LINES = 80;
const MAX_DEPTH = 4;
const files = execFileSync('git', ['ls-files', 'src/**/*.ts'], { encoding: 'utf8' })
  .trim()
  .split('\n')
  .filter((f) => f && !f.startsWith('src/backends/js/'));

const isFunction = (n) =>
  ts.isFunctionDeclaration(n) ||
  ts.isMethodDeclaration(n) ||
  ts.isArrowFunction(n) ||
  ts.isFunctionExpression(n) ||
  ts.isConstructorDeclaration(n) ||
  ts.isGetAccessor(n);

const isBlock = (n) =>
  ts.isIfStatement(n) ||
  ts.isForStatement(n) ||
  ts.isForOfStatement(n) ||
  ts.isForInStatement(n) ||
  ts.isWhileStatement(n) ||
  ts.isDoStatement(n) ||
  ts.isSwitchStatement(n) ||
  ts.isTryStatement(n);

const long = [];
const deep = [];
for (const file of files) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const line = (pos) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node, depth) => {
    if (isFunction(node) && node.body) {
      const lines = line(node.end) - line(node.getStart()) + 1;
      if (lines > MAX_LINES)
        long.push(`${file}:${line(node.getStart())} ${node.name?.getText() ?? '(anonymous)'} ${lines} lines`);
    }
    let d = depth;
    if (isBlock(node)) {
      const elseIf = ts.isIfStatement(node) && ts.isIfStatement(node.parent) && node.parent.elseStatement === node;
      if (!elseIf) d = depth + 1;
      if (d > MAX_DEPTH) deep.push(`${file}:${line(node.getStart())} depth ${d}`);
    }
    if (isFunction(node)) d = 0; // a nested function starts its own count
    ts.forEachChild(node, (c) => visit(c, d));
  };
  visit(sf, 0);
}
console.log(`functions over ${MAX_LINES} lines: ${long.length}`);
for (const l of long) console.log(`  ${l}`);
console.log(`nesting over ${MAX_DEPTH}: ${deep.length}`);
for (const l of deep) console.log(`  ${l}`);
process.exitCode = long.length + deep.length > 0 ? 1 : 0;
