import { describe, expect, it } from 'vitest';
import { diffText } from './diff.ts';

describe('diffText', () => {
  it('reports no hunk for equal texts', () => {
    expect(diffText('a\nb\n', 'a\nb\n')).toMatchObject({ added: 0, removed: 0, hunks: [], unified: '' });
  });

  it('shows a changed line with its context as diff -u does', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].join('\n') + '\n';
    const after = before.replace('5\n', 'five\n');
    const diff = diffText(before, after);
    expect(diff.added).toBe(1);
    expect(diff.removed).toBe(1);
    expect(diff.unified).toBe(
      ['@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8'].join('\n'),
    );
  });

  it('diffs a new file against the empty one', () => {
    const diff = diffText('', 'x\ny\n');
    expect(diff.unified).toBe(['@@ -0,0 +1,2 @@', '+x', '+y'].join('\n'));
  });

  it('keeps distant changes in separate hunks', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const changed = [...lines];
    changed[2] = 'first change';
    changed[25] = 'second change';
    const diff = diffText(lines.join('\n'), changed.join('\n'));
    expect(diff.hunks).toHaveLength(2);
    expect(diff.hunks.map((h) => [h.oldStart, h.oldLines])).toEqual([
      [1, 6],
      [23, 7],
    ]);
  });

  it('reconstructs the new text from the edit script', () => {
    const before = 'a\nb\nc\nd\ne\n';
    const after = 'a\nc\nd\nx\ne\nf\n';
    const diff = diffText(before, after, 100);
    const rebuilt = diff.hunks.flatMap((h) => h.lines.filter((l) => l.op !== '-').map((l) => l.text));
    expect(rebuilt.join('\n') + '\n').toBe(after);
  });
});
