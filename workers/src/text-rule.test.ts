import { describe, expect, it } from 'vitest';
import { textIssues, textProblem } from './text-rule.ts';

describe('the text rule', () => {
  it('accepts any well-formed text, astral characters included', () => {
    for (const text of ['', 'plain', 'Zürich 東京 🚀', '\u{1F600}\n\t', '\uFFFD', '\uFEFF'])
      expect(textProblem(text), JSON.stringify(text)).toBeNull();
  });

  it('refuses NUL and lone surrogates, wherever they are', () => {
    for (const text of ['\u0000', 'a\u0000b', '\uD800', 'x\uDBFF', '\uDC00y', 'a\uDC00\uD800b', '🚀\uD83D'])
      expect(textProblem(text), JSON.stringify(text)).not.toBeNull();
  });

  it('names every bad string and key of a value by its path', () => {
    expect(
      textIssues({
        name: 'ok',
        description: 'a\u0000b',
        models: { TechLead: '\uD800' },
        list: ['fine', 'bad\u0000'],
        'key\u0000': 'value',
      }),
    ).toEqual([
      { path: 'description', message: 'Text cannot contain the NUL character (U+0000).' },
      { path: 'models.TechLead', message: 'Text must be valid Unicode: this has a lone surrogate.' },
      { path: 'list.1', message: 'Text cannot contain the NUL character (U+0000).' },
      { path: 'key\\0', message: 'Text cannot contain the NUL character (U+0000).' },
    ]);
    expect(textIssues('top\u0000')).toEqual([{ path: '', message: expect.any(String) }]);
    expect(textIssues(undefined)).toEqual([]);
  });

  it('walks deeply nested input without exhausting the stack', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const issues = textIssues(deep);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path.length).toBeLessThanOrEqual(201);
  });
});
