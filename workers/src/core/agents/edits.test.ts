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
    expect(applyEdits(file, [])).toEqual({ ok: false, problems: ['no edit was given'], missed: [] });
    expect(applyEdits(file, [{ search: '', replace: 'x' }])).toMatchObject({ ok: false });
  });
});

describe('a near-miss, applied when it matches one place up to whitespace', () => {
  it('matches tabs in the file with spaces in the search, and writes the replacement with tabs', () => {
    const tabbed = 'function add(a, b) {\n\tif (a) {\n\t\treturn a - b;\n\t}\n}\n';
    expect(
      applyEdits(tabbed, [
        {
          search: '  if (a) {\n    return a - b;\n  }',
          replace: '  if (a) {\n    // fixed\n    return a + b;\n  }',
        },
      ]),
    ).toEqual({
      ok: true,
      content: 'function add(a, b) {\n\tif (a) {\n\t\t// fixed\n\t\treturn a + b;\n\t}\n}\n',
    });
  });

  it('matches a search given without the indentation the file has, and indents the replacement alike', () => {
    const nested = 'class A {\n    run() {\n        go();\n    }\n}\n';
    expect(
      applyEdits(nested, [
        { search: 'run() {\n    go();\n}', replace: 'run() {\n    stop();\n    go();\n}' },
      ]),
    ).toEqual({ ok: true, content: 'class A {\n    run() {\n        stop();\n        go();\n    }\n}\n' });
  });

  it('matches a search indented by four spaces where the file uses two (the same depth on every line), and indents the replacement by two', () => {
    const two = 'if (a) {\n  if (b) {\n    go();\n  }\n}\n';
    expect(
      applyEdits(two, [
        {
          search: 'if (b) {\n        go();\n    }',
          replace: 'if (b) {\n        go();\n        stop();\n    }',
        },
      ]),
    ).toMatchObject({ ok: false });
    expect(
      applyEdits(two, [
        {
          search: '    if (b) {\n        go();\n    }',
          replace: '    if (b) {\n        go();\n        stop();\n    }',
        },
      ]),
    ).toEqual({ ok: true, content: 'if (a) {\n  if (b) {\n    go();\n    stop();\n  }\n}\n' });
  });

  it('keeps the line breaks of a CRLF file for an LF search', () => {
    const crlf = 'registry=https://a.example/\r\nstrict-ssl=true\r\nloglevel=warn\r\n';
    expect(
      applyEdits(crlf, [
        { search: 'strict-ssl=true\nloglevel=warn\n', replace: 'strict-ssl=true\nloglevel=info\n' },
      ]),
    ).toEqual({ ok: true, content: 'registry=https://a.example/\r\nstrict-ssl=true\r\nloglevel=info\r\n' });
  });

  it('ignores trailing spaces on either side', () => {
    const trailing = 'const a = 1;   \nconst b = 2;\n';
    expect(
      applyEdits(trailing, [
        { search: 'const a = 1;\nconst b = 2;  ', replace: 'const a = 1;\nconst b = 3;' },
      ]),
    ).toEqual({ ok: true, content: 'const a = 1;\nconst b = 3;\n' });
  });

  it('ignores a blank line more or less inside the search', () => {
    const spaced = 'import x from "x";\n\n\nexport const y = x;\n';
    // The model collapsed the two blank lines into one: the lines it names are the same ones.
    expect(
      applyEdits(spaced, [
        {
          search: 'import x from "x";\n\nexport const y = x;',
          replace: 'import x from "x";\n\nexport const y = x + 1;',
        },
      ]),
    ).toEqual({ ok: true, content: 'import x from "x";\n\nexport const y = x + 1;\n' });
    // And the other way round: a blank line the file does not have.
    expect(applyEdits('a();\nb();\nc();\n', [{ search: 'a();\n\nb();', replace: 'a();\nbb();' }])).toEqual({
      ok: true,
      content: 'a();\nbb();\nc();\n',
    });
  });

  it('deletes whole lines, their line break included', () => {
    expect(applyEdits('a();\n\tb();\nc();\n', [{ search: '  b(); \n', replace: '' }])).toEqual({
      ok: true,
      content: 'a();\nc();\n',
    });
  });

  it('refuses a near-miss that matches two places, or whose indentation differs inconsistently', () => {
    const twice = 'if (a) {\n  go();\n}\nif (a) {\n    go();\n}\n';
    const result = applyEdits(twice, [{ search: 'if (a) {\n go();\n}', replace: 'x' }]);
    expect(result).toMatchObject({ ok: false, missed: ['if (a) {\n go();\n}'] });
    if (result.ok) return;
    expect(result.problems[0]).toMatch(/edit 1: .*does not occur .*ignoring whitespace it matches 2 places/);

    const uneven = applyEdits('a {\n  b;\n      c;\n}\n', [
      { search: 'a {\n    b;\n    c;\n}', replace: 'x' },
    ]);
    expect(uneven.ok).toBe(false);
    if (uneven.ok) return;
    expect(uneven.problems[0]).toMatch(/indentation differs inconsistently/);
  });

  it('does not match part of a line up to whitespace', () => {
    expect(applyEdits(file, [{ search: 'b  = 2', replace: 'b = 3' }]).ok).toBe(false);
  });
});
