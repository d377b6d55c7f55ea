import { describe, expect, it } from 'vitest';
import { extractJson } from './json-extract.ts';

const values = (text: string) => extractJson(text).candidates.map((c) => c.value);

describe('finding the JSON in a reply', () => {
  it('takes bare JSON as it is', () => {
    expect(values('{"a": 1}')).toEqual([{ a: 1 }]);
  });

  it('finds JSON in a fence with any language tag, prose around it', () => {
    expect(values('Here you go:\n```JSON\n{"a": 1}\n```\nAnything else?')).toEqual([{ a: 1 }]);
    expect(values('```\n{"a": 1}\n```')).toEqual([{ a: 1 }]);
  });

  it('finds a bare object after prose whose own braces are not JSON', () => {
    expect(values('I would write { a: 1 } but the schema says:\n{"a": "}{"}\nDone.')).toEqual([{ a: '}{' }]);
  });

  it('skips a reasoning block, braces and all', () => {
    expect(values('<think>maybe {"a": 0}?</think>\n{"a": 1}')).toEqual([{ a: 1 }]);
  });

  it('keeps a string with a fence inside the JSON whole', () => {
    const value = { content: '# Use\n```bash\nnpm test\n```\n' };
    expect(values(`\`\`\`json\n${JSON.stringify(value)}\n\`\`\``)).toEqual([value]);
  });

  it('never takes an object nested in a cut-off one for the answer', () => {
    const cut = '{"tasks": [{"title": "a", "description": "b"}, {"title": "c", "descr';
    expect(extractJson(cut)).toMatchObject({ candidates: [], error: expect.stringMatching(/JSON/) });
  });

  it('says why when there is no JSON at all', () => {
    expect(extractJson('I cannot help with that.')).toEqual({
      candidates: [],
      error: 'it contains no JSON object',
    });
    expect(extractJson('  ').error).toBe('it is empty');
  });
});
