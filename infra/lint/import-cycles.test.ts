/**
 * No module of the product imports itself back through others: a cycle makes the order modules run in
 * depend on which one is imported first (a class used before its definition ran), and it hides which
 * module is the lower layer. Type-only imports count too: they are the same dependency on paper.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const SOURCES = ['workers/src', 'sandbox-runner/src', 'db/src', 'web/src/lib'];
/** `import ... from './y.ts'` and `export ... from './y.ts'`. */
const RELATIVE_IMPORT = /^\s*(?:import|export)\s+[^'"]*?from\s+['"](\.[^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const imports = [...readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)]
      .map((m) => resolve(dirname(file), m[1]!))
      .filter((target) => existsSync(target));
    graph.set(file, imports);
  }
  return graph;
}

/** Every cycle met by a depth-first walk, as the chain of files that closes it. */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const visiting = new Set<string>();
  const done = new Set<string>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    visiting.add(file);
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (visiting.has(next)) cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (!done.has(next) && graph.has(next)) visit(next);
    }
    path.pop();
    visiting.delete(file);
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return cycles;
}

describe('imports', () => {
  it('form no cycle in any package', () => {
    const files = SOURCES.flatMap((dir) => sourceFiles(join(root, dir)));
    expect(files.length).toBeGreaterThan(100);
    const cycles = cyclesOf(importGraph(files)).map((c) => c.map((f) => relative(root, f)).join(' → '));
    expect(cycles).toEqual([]);
  });

  it('are seen, cycles included (the check itself)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['a.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(cyclesOf(graph)).toEqual([['a.ts', 'b.ts', 'a.ts']]);
  });
});
