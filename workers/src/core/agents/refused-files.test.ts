import { describe, expect, it } from 'vitest';
import { closestPlace, refusedFilesText, SHOWN_CHARS } from './refused-files.ts';

const big = Array.from({ length: 400 }, (_, i) => `export const value${i} = ${i};`);
big[250] = 'export function total(items) {';
big[251] = '  return items.reduce((sum, item) => sum + item.price, 0);';
big[252] = '}';

describe('the refused files a re-ask shows', () => {
  it('shows a small file whole', () => {
    const text = refusedFilesText([{ path: '.npmrc', content: 'strict-ssl=true\n', missed: ['loglevel=x'] }]);
    expect(text).toContain('The current text of .npmrc (the whole file):\n```\nstrict-ssl=true\n```');
  });

  it('shows a window around the closest lines of a big file, numbered and marked', () => {
    const search = 'function total(items) {\n  return items.reduce((s, i) => s + i.price);\n}';
    expect(closestPlace(big, search)).toEqual({ start: 250, marked: [250, 251, 252] });
    const text = refusedFilesText([{ path: 'src/cart.js', content: big.join('\n'), missed: [search] }]);
    expect(text).toContain('src/cart.js has 400 lines');
    expect(text).toContain('Lines 241–280');
    expect(text).toContain('> 251| export function total(items) {');
    expect(text).toContain('  250| export const value249 = 249;');
    expect(text).not.toContain('value200 ');
  });

  it('keeps all shown text under the cap and says what was cut', () => {
    const files = Array.from({ length: 5 }, (_, i) => ({
      path: `src/f${i}.js`,
      content: big.slice(0, 190).join('\n').slice(0, 7_900),
      missed: ['nothing like it'],
    }));
    const text = refusedFilesText(files);
    expect(text.length).toBeLessThan(SHOWN_CHARS + 200);
    expect(text).toContain('The current text of src/f1.js');
    expect(text).toMatch(
      /export const value\d+ = \d+;\n```\n…\(cut here to keep the prompt short; not shown: src\/f3.js, src\/f4.js\)$/,
    );
  });

  it('is empty without refused files', () => {
    expect(refusedFilesText([])).toBe('');
  });
});
