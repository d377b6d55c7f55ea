import { describe, expect, it } from 'vitest';
import {
  importersOf,
  isTestFile,
  namedFiles,
  pairsWith,
  relativeImports,
  testedModules,
  testsOf,
} from './file-links.ts';

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

describe('links between pages, scripts and styles, and who imports a file', () => {
  const WEB = ['public/index.html', 'public/app.js', 'public/style.css', 'public/theme.css', 'src/app.js'];

  it("resolves a page's scripts and stylesheets and a stylesheet's imports, not outside links", () => {
    const page = [
      '<link rel="stylesheet" href="style.css">',
      '<script type="module" src="/app.js?v=2"></script>',
      '<a href="https://example.test/">out</a><a href="#top">top</a><img src="data:image/png;base64,x">',
    ].join('\n');
    expect(relativeImports('public/index.html', page, WEB)).toEqual(['public/style.css', 'public/app.js']);
    expect(relativeImports('public/style.css', '@import url("theme.css");', WEB)).toEqual([
      'public/theme.css',
    ]);
  });

  it('finds the files that import a file', () => {
    const files = [
      { path: 'public/index.html', imports: ['public/style.css', 'public/app.js'] },
      { path: 'test/api.test.js', imports: ['src/app.js'] },
      { path: 'src/server.js', imports: ['src/app.js'] },
      { path: 'src/app.js', imports: [] },
    ];
    expect(importersOf('src/app.js', files)).toEqual(['test/api.test.js', 'src/server.js']);
    expect(importersOf('public/style.css', files)).toEqual(['public/index.html']);
    expect(importersOf('public/index.html', files)).toEqual([]);
  });

  it('pairs a file with the files written earlier in its task that it must agree with', () => {
    expect(pairsWith('public/app.js', 'public/index.html')).toBe(true); // the ids it uses
    expect(pairsWith('public/index.html', 'public/app.js')).toBe(true); // the script it loads
    expect(pairsWith('public/index.html', 'public/style.css')).toBe(true);
    expect(pairsWith('public/style.css', 'public/index.html')).toBe(true); // the markup it styles
    expect(pairsWith('public/style.css', 'public/app.js')).toBe(false);
    expect(pairsWith('public/style.css', 'src/app.js')).toBe(false);
    expect(pairsWith('test/api.test.js', 'src/app.js')).toBe(true); // a test and the modules
    expect(pairsWith('src/add.js', 'test/add.test.js')).toBe(true); // a module and its test, written first
    expect(pairsWith('src/add.js', 'test/api.test.js')).toBe(false);
  });
});
