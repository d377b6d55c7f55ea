import { describe, expect, it } from 'vitest';
import { isTestFile, namedFiles, relativeImports, testedModules, testsOf } from './file-links.ts';

const PATHS = [
  'package.json',
  'src/main.ts',
  'src/lib/board.ts',
  'src/lib/board.test.ts',
  'src/lib/index.ts',
  'src/todos.js',
  'src/app.js',
  'test/todos.test.js',
  'test/api.test.js',
];

describe('the files a file must agree with', () => {
  it('tells tests from modules', () => {
    expect(PATHS.filter(isTestFile)).toEqual([
      'src/lib/board.test.ts',
      'test/todos.test.js',
      'test/api.test.js',
    ]);
  });

  it('resolves relative imports, as TypeScript and Node do, to project files only', () => {
    const main = [
      "import { move } from './lib/board.js';",
      "import * as all from './lib';",
      "import { x } from 'vitest';",
      "const late = await import('../outside.js');",
      "const { createStore } = require('./todos.js');",
    ].join('\n');
    expect(relativeImports('src/main.ts', main, PATHS)).toEqual([
      'src/lib/board.ts',
      'src/lib/index.ts',
      'src/todos.js',
    ]);
    expect(
      relativeImports('test/todos.test.js', "import { createStore } from '../src/todos.js';", PATHS),
    ).toEqual(['src/todos.js']);
  });

  it('finds the module a test tests, and the tests of a module, by name', () => {
    expect(testedModules('test/todos.test.js', PATHS)).toEqual(['src/todos.js']);
    expect(testedModules('src/lib/board.test.ts', PATHS)).toEqual(['src/lib/board.ts']);
    expect(testsOf('src/lib/board.ts', PATHS)).toEqual(['src/lib/board.test.ts']);
    expect(testsOf('src/todos.js', PATHS)).toEqual(['test/todos.test.js']);
    expect(testsOf('src/app.js', PATHS)).toEqual([]);
  });

  it('finds the files a text names by their whole path', () => {
    expect(namedFiles('Test src/app.js (and its routes) with fetch; see src/todos.js.', PATHS)).toEqual([
      'src/todos.js',
      'src/app.js',
    ]);
    expect(namedFiles('Test app.js and lib/board.ts', PATHS)).toEqual([]);
  });
});
