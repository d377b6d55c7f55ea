import { describe, expect, it } from 'vitest';
import { OutputWindow } from './output-window.ts';

/** The window after `chunks` were pushed. */
function kept(limit: number, chunks: string[]): string {
  const window = new OutputWindow(limit);
  for (const chunk of chunks) window.push(chunk);
  return window.text();
}

describe("a command's kept output", () => {
  it('is the whole output when it fits', () => {
    expect(kept(20, ['abc', 'def', '0123456789'])).toBe('abcdef0123456789');
  });

  it('keeps the head with the first error and the tail with the summary, saying how much is left out', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}\n`);
    const text = kept(40, ['Error: the first one\n', ...lines, '# fail 1\n']);
    expect(text.startsWith('Error: the first one\n')).toBe(true);
    expect(text.endsWith('# fail 1\n')).toBe(true);
    const total = ['Error: the first one\n', ...lines, '# fail 1\n'].join('').length;
    expect(text).toContain(`[... ${total - 40} characters of output left out ...]`);
  });

  it('splits a chunk larger than the whole window between head and tail', () => {
    expect(kept(10, ['abcdefghijklmnopqrstuvwxyz'])).toBe(
      'abcde\n[... 16 characters of output left out ...]\nvwxyz',
    );
  });
});
