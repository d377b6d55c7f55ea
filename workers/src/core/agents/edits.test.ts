import { describe, expect, it } from 'vitest';
import { applyEdits } from './edits.ts';

const file = 'const a = 1;\nconst b = 2;\nconst a2 = 1;\n';

describe('search/replace edits', () => {
  it('applies edits that each match exactly once, in order', () => {
    expect(
      applyEdits(file, [
        { search: 'const b = 2;', replace: 'const b = 3;' },
        { search: 'const b = 3;\n', replace: 'const b = 3;\nconst c = $&;\n' },
      ]),
    ).toEqual({ ok: true, content: 'const a = 1;\nconst b = 3;\nconst c = $&;\nconst a2 = 1;\n' });
  });

  it('refuses an edit that matches nowhere or more than once, and applies none of them', () => {
    const result = applyEdits(file, [
      { search: 'const b = 2;', replace: 'const b = 3;' },
      { search: '= 1;', replace: '= 9;' },
      { search: 'const z', replace: '' },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(2);
    expect(result.problems[0]).toMatch(/edit 2: .*occurs 2 times/);
    expect(result.problems[1]).toMatch(/edit 3: .*does not occur/);
  });

  it('refuses an empty edit list and an empty search text', () => {
    expect(applyEdits(file, [])).toEqual({ ok: false, problems: ['no edit was given'] });
    expect(applyEdits(file, [{ search: '', replace: 'x' }])).toMatchObject({ ok: false });
  });
});
