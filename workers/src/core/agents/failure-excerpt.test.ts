import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failingTestNames, failureExcerpt } from './failure-excerpt.ts';

/** Real outputs of failing runs (see testing/test-outputs/README.md). */
const output = (name: string) =>
  readFileSync(new URL(`./testing/test-outputs/${name}`, import.meta.url), 'utf8');

const LIMIT = 1500;

/** The excerpt, checked to be within the limit and to leave out what carries no evidence. */
function excerptOf(name: string): { text: string; raw: string } {
  const raw = output(name);
  expect(raw.length, 'the recorded output is longer than the limit').toBeGreaterThan(LIMIT);
  const text = failureExcerpt(raw, LIMIT);
  expect(text.length).toBeLessThanOrEqual(LIMIT);
  expect(text).not.toMatch(/node:internal|node_modules\//);
  return { text, raw };
}

describe('the failing output the fixer reads', () => {
  it('keeps a node:test failure printed among 120 passing tests (TAP), which the tail would lose', () => {
    const { text, raw } = excerptOf('node-test-tap.txt');
    expect(raw.slice(-LIMIT)).not.toContain('removing a todo deletes it');
    expect(text).toContain('Failing tests: removing a todo deletes it');
    expect(text).toContain('not ok 61 - removing a todo deletes it');
    expect(text).toContain('false !== true');
    expect(text).toContain('expected: true');
    expect(text).toContain('actual: false');
    expect(text).toContain('file:///workspace/test/todos.test.js:68:10');
    expect(text).toContain('# fail 1');
    expect(text).not.toMatch(/^ok \d+ /m);
  });

  it("keeps node:test's spec report of the failure without the passing tests", () => {
    const { text } = excerptOf('node-test-spec.txt');
    expect(text).toContain('✖ removing a todo deletes it');
    expect(text).toContain('AssertionError [ERR_ASSERTION]: Expected values to be strictly equal');
    expect(text).toContain('at TestContext.<anonymous> (file:///workspace/test/todos.test.js:68:10)');
    expect(text).toContain('ℹ fail 1');
    expect(text).not.toContain('✔ keeps todo number');
  });

  it("keeps vitest's failures with expected and received and the project's frames, not its 120 log blocks", () => {
    const { text, raw } = excerptOf('vitest.txt');
    expect(raw.slice(0, LIMIT)).not.toContain('FAIL');
    expect(text).toContain(
      'Failing tests: cart > totals price times quantity; cart > removes an item by name, ignoring case',
    );
    expect(text).toContain('AssertionError: expected 3 to be 7');
    expect(text).toMatch(/- 7\n\+ 3/);
    expect(text).toContain('Error: no item named milk');
    expect(text).toContain('❯ removeItem src/lib/cart.ts:10:24');
    expect(text).toContain('Tests  2 failed | 120 passed (122)');
    expect(text).not.toContain('adding item 0 to the cart');
  });

  it('fills the room the failures leave with the other lines from the start, such as logging', () => {
    const raw = output('vitest.txt');
    const text = failureExcerpt(raw, 6_000);
    expect(text.length).toBeGreaterThan(5_000);
    expect(text.length).toBeLessThanOrEqual(6_000);
    expect(text).toContain('adding item 0 to the cart');
    expect(text).toContain('Error: no item named milk');
    expect(text).toContain('Tests  2 failed | 120 passed (122)');
  });

  it("keeps jest's failures without its colour codes", () => {
    const { text } = excerptOf('jest.txt');
    expect(text).not.toContain('\u001b[');
    expect(text).toContain('● money › splits without losing a cent');
    expect(text).toContain('expect(received).toEqual(expected)');
    expect(text).toMatch(/-\s+34,\n\s+\+\s+33,/);
    expect(text).toContain('TypeError: not an amount: $1,000.00');
    expect(text).toContain('at parse (src/money.js:6:21)');
    expect(text).toContain('Tests:       2 failed, 70 passed, 72 total');
    expect(text).not.toContain('✓ formats');
  });

  it("keeps mocha's failures and names the tests, not their suite", () => {
    const raw = output('mocha.txt');
    expect(failingTestNames(raw)).toEqual([
      'splits without losing a cent',
      'parses an amount with a thousands separator',
    ]);
    const { text } = excerptOf('mocha.txt');
    expect(text).toContain('AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal');
    expect(text).toContain('at parse (src/money.js:6:21)');
    expect(text).toContain('2 failing');
    expect(text).not.toContain('✔ formats');
  });

  it("keeps pytest's failures: the failing lines, the errors, the assertion, the summary", () => {
    const { text } = excerptOf('pytest.txt');
    expect(text).toContain(
      'Failing tests: tests/test_shortener.py::test_resolves_a_short_code; tests/test_shortener.py::test_codes_are_sequential',
    );
    expect(text).toContain('>       return self.links[code.upper()]');
    expect(text).toContain("E       KeyError: 'ABC'");
    expect(text).toContain('app/shortener.py:15: KeyError');
    expect(text).toContain("E       AssertionError: assert '2' == '3'");
    expect(text).toContain('2 failed, 80 passed');
    expect(text).not.toContain('PASSED');
  });

  it("keeps a Python traceback's project frames and error, leaving out the library's frames", () => {
    const { text } = excerptOf('python-long-traceback.txt');
    expect(text).toContain('File "/workspace/export.py", line 11, in <module>');
    expect(text).toContain('TypeError: Object of type date is not JSON serializable');
    expect(text).not.toContain('json/encoder.py');
    expect(text).not.toContain('_iterencode');
  });

  it('shows an output within the limit whole', () => {
    const raw = output('python-traceback.txt');
    expect(failureExcerpt(raw, LIMIT)).toBe(raw);
  });
});
