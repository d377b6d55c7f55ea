import { describe, expect, it } from 'vitest';
import { fitContext, PLATFORM_PROMPT_CAP, promptBudget, type ContextFile } from './context-budget.ts';
import { changedLines } from './code-context.ts';
import { excerpt, fileOutline } from './outline.ts';
import type { MapEntry } from './project-map.ts';
import { estimateTokens } from './tokens.ts';

/** An 8k model with a quarter of its window for the answer (what `context-windows.ts` gives it). */
const WINDOW_8K = { contextTokens: 8192, outputTokens: 2048 };

/** A module of `count` functions of four lines, about 100 characters (25 tokens) each. */
function module(name: string, count: number): string {
  return Array.from(
    { length: count },
    (_, i) => `export function ${name}${i}(value) {\n  const next = value * ${i};\n  return next + 1;\n}`,
  ).join('\n');
}

const MAP: MapEntry[] = Array.from({ length: 120 }, (_, i) => ({
  path: `src/feature${i % 12}/part${i}.js`,
  names: ['alpha', 'beta', 'gamma', 'delta', 'epsilon'].map((n) => `${n}${i}`),
  note: `the part number ${i} of feature ${i % 12}, which does something useful`,
}));

const tokensOf = (fitted: ReturnType<typeof fitContext>, fixed: string) =>
  estimateTokens(fixed) +
  estimateTokens(fitted.target ?? '') +
  estimateTokens(fitted.files) +
  estimateTokens(fitted.map);

describe('the budget of a call', () => {
  it("is the prompt's share of the window, less a margin, and never above the platform's cap", () => {
    expect(promptBudget(WINDOW_8K)).toBe(Math.floor((8192 - 2048) * 0.9) - 700);
    expect(promptBudget({ contextTokens: 1_047_576, outputTokens: 8192 })).toBe(PLATFORM_PROMPT_CAP - 700);
    expect(promptBudget({ contextTokens: 1000, outputTokens: 250 })).toBe(0);
  });
});

describe('the drop policy', () => {
  const budget = promptBudget(WINDOW_8K);
  const fixed = 'x'.repeat(4000); // instructions, task, summary: about 1000 tokens

  it('keeps everything whole when it fits', () => {
    const files: ContextFile[] = [{ path: 'src/a.js', content: module('a', 3), tier: 'agree' }];
    const fitted = fitContext({ budget, fixed, files, map: MAP.slice(0, 3) });
    expect(fitted.shown).toEqual(['src/a.js']);
    expect(fitted.files).toContain('--- src/a.js\nexport function a0(value) {\n  const next');
    expect(fitted.files).toContain('--- end of src/a.js');
    expect(fitted.map).toContain('- src/feature0/part0.js: alpha0, beta0');
  });

  it('with an 8k window: folds the map first, then outlines importers before imports, and keeps the files it must agree with', () => {
    const files: ContextFile[] = [
      { path: 'test/a.test.js', content: module('testA', 34), tier: 'agree' },
      { path: 'src/b.js', content: module('b', 34), tier: 'import' },
      { path: 'src/c.js', content: module('c', 34), tier: 'importer' },
      { path: 'src/d.js', content: module('d', 34), tier: 'importer' },
      { path: 'src/e.js', content: module('e', 34), tier: 'far' },
    ];
    const target = { path: 'src/a.js', content: module('a', 20), anchors: [3] };
    const fitted = fitContext({ budget, fixed, target, files, map: MAP });
    expect(tokensOf(fitted, fixed)).toBeLessThanOrEqual(budget);
    // The file being edited and the files it must agree with stay whole.
    expect(fitted.target).toBe(target.content);
    expect(fitted.shown).toContain('test/a.test.js');
    // The far file went first, then the importers (the last one first); the import outlasts them.
    expect(fitted.shown).not.toContain('src/e.js');
    const order = ['src/e.js', 'src/d.js', 'src/c.js', 'src/b.js'];
    const rank = (p: string) => (fitted.shown.includes(p) ? 2 : fitted.outlined.includes(p) ? 1 : 0);
    for (let i = 1; i < order.length; i++)
      expect(rank(order[i]!)).toBeGreaterThanOrEqual(rank(order[i - 1]!));
    expect(fitted.outlined[0]).toBe('src/e.js');
    // An outline keeps the names a writer uses.
    if (fitted.outlined.includes('src/c.js')) expect(fitted.files).toContain('(outline only');
    // The map folded to fit instead of listing every name and note.
    expect(fitted.map.length).toBeLessThan(MAP.map((e) => e.path).join('\n').length);
  });

  it('cuts the file being edited to windows around its lines that matter when even it does not fit', () => {
    const big = module('big', 300); // about 30k characters: over the whole budget
    const fitted = fitContext({
      budget,
      fixed,
      target: { path: 'src/big.js', content: big, anchors: [600] },
      files: [{ path: 'test/big.test.js', content: module('t', 30), tier: 'agree' }],
      map: MAP,
    });
    expect(tokensOf(fitted, fixed)).toBeLessThanOrEqual(budget);
    expect(fitted.target).toContain('only parts of src/big.js are shown');
    expect(fitted.target).toContain('export function big150(value) {\n  const next = value * 150;');
    expect(fitted.target).not.toContain('const next = value * 290;');
    expect(fitted.target).toMatch(/\[\.\.\. lines 1–\d+ left out \.\.\.\]/);
  });
});

describe('outlines and windows', () => {
  it("outlines a module's declarations, a page's ids and loaded files, a stylesheet's selectors", () => {
    expect(
      fileOutline(
        'src/a.js',
        'import x from "./x.js";\nexport function go() {\n  return 1;\n}\nconst K = 2;\n',
      ),
    ).toBe('export function go() {\nconst K = 2;');
    expect(
      fileOutline(
        'public/index.html',
        '<html>\n  <body>\n    <ul id="list"></ul>\n    <script src="app.js"></script>\n',
      ),
    ).toBe('<ul id="list"></ul>\n<script src="app.js"></script>');
    expect(
      fileOutline('public/style.css', 'body {\n  margin: 0;\n}\n#list li.done {\n  color: gray;\n}\n'),
    ).toBe('body {\n#list li.done {');
  });

  it('windows a file around given lines, verbatim, saying what it leaves out', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const shown = excerpt('notes.txt', text, [50], 200);
    expect(shown).toContain('line 48\nline 49\nline 50\nline 51');
    expect(shown).toContain('[... lines 1–');
    expect(estimateTokens(shown)).toBeLessThanOrEqual(200);
  });

  it('finds the lines an edit added or changed in the file after it', () => {
    const before = 'a\nb\nc\nd\ne\n';
    const after = 'a\nb\nC\nd\ne\nf\n';
    expect(changedLines(before, after)).toEqual([2, 5]);
  });
});

describe("a large project's map", () => {
  it('takes at most a quarter of the budget, folded, even when the files leave more room', () => {
    const huge: MapEntry[] = Array.from({ length: 3000 }, (_, i) => ({
      path: `packages/p${i % 30}/src/module${i}.ts`,
      names: [`thing${i}`, `other${i}`],
      note: `module ${i} of package ${i % 30}`,
    }));
    const budget = promptBudget({ contextTokens: 1_047_576, outputTokens: 8192 });
    const fitted = fitContext({ budget, fixed: 'instructions', files: [], map: huge });
    expect(estimateTokens(fitted.map)).toBeLessThanOrEqual(budget / 4 + 20);
    expect(fitted.map).toMatch(/- packages\/p\d+(\/src)?\/ \(\d+ files\)/);
  });
});
