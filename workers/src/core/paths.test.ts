import { describe, expect, it } from 'vitest';
import { normalizePath } from './paths.ts';

describe('normalizePath', () => {
  it('accepts relative paths and canonicalizes them', () => {
    expect(normalizePath('src/index.ts')).toBe('src/index.ts');
    expect(normalizePath('./README.md')).toBe('README.md');
    expect(normalizePath('src\\win.ts')).toBe('src/win.ts');
  });

  it('refuses paths that escape the project or hide their name', () => {
    for (const bad of [
      '',
      '/etc/passwd',
      '../x',
      'a/../../b',
      'a//b',
      'a/./b',
      'a\0b',
      'a\nb',
      'x'.repeat(2000),
    ]) {
      expect(normalizePath(bad), JSON.stringify(bad.slice(0, 20))).toBeNull();
    }
  });
});
