import { describe, expect, it } from 'vitest';
import { linkedFiles } from './code-context.ts';
import type { MapEntry } from './project-map.ts';
import type { WorkState } from './state.ts';

/** The demo's project as the third task finds it, with the page and its script and style being written. */
const ENTRIES: MapEntry[] = [
  { path: 'package.json', names: ['script test'] },
  { path: 'src/todos.js', names: ['createStore'] },
  { path: 'src/app.js', names: ['createServer'], imports: ['src/todos.js'] },
  { path: 'src/server.js', names: [], imports: ['src/app.js', 'src/todos.js'] },
  { path: 'test/todos.test.js', names: [], imports: ['src/todos.js'] },
  { path: 'test/api.test.js', names: [], imports: ['src/app.js', 'src/todos.js'] },
  { path: 'public/index.html', names: ['#list'], imports: ['public/style.css', 'public/app.js'] },
  { path: 'public/style.css', names: [] },
  { path: 'public/app.js', names: [] },
];

const code = (path: string, instructions = `write ${path}`) => ({
  type: 'code' as const,
  path,
  instructions,
});

const WORK: WorkState = {
  taskId: 't3',
  relevantFiles: ['src/app.js'],
  steps: [
    code('public/index.html'),
    code('public/style.css'),
    code('public/app.js', 'Render the todos from GET api/todos into #list.'),
    code('src/app.js', 'Serve the files of public/.'),
    code('test/static.test.js', 'Tests: / and /app.js are served by createServer.'),
  ],
  testInstructions: '',
};

describe("the CodeMonkey's files", () => {
  it('gives a stylesheet its page, and none of the JavaScript', () => {
    const linked = linkedFiles(WORK, 1, 'public/style.css', null, ENTRIES);
    expect(linked.agree).toEqual(['public/index.html']);
    expect([...linked.imports, ...linked.importers, ...linked.far]).toEqual([]);
  });

  it('gives a script the page whose ids it uses, and the server the relevant module of its kind', () => {
    expect(linkedFiles(WORK, 2, 'public/app.js', null, ENTRIES)).toMatchObject({
      agree: ['public/index.html'],
      importers: [],
      far: ['src/app.js'],
    });
    const server = linkedFiles(WORK, 3, 'src/app.js', 'import { createStore } from "./todos.js";', ENTRIES);
    expect(server.imports).toEqual(['src/todos.js']);
    expect(server.importers).toEqual(['src/server.js', 'test/api.test.js']);
    expect(server.agree).not.toContain('public/index.html');
  });

  it('gives a test the modules written earlier in its task, latest first, and the module it tests by name', () => {
    expect(linkedFiles(WORK, 4, 'test/static.test.js', null, ENTRIES).agree).toEqual([
      'src/app.js',
      'public/app.js',
    ]);
    // The reviewer checks a test against the module it tests: by name, else the latest written before it.
    expect(linkedFiles(WORK, 4, 'test/static.test.js', null, ENTRIES).checks).toEqual(['src/app.js']);
    const work: WorkState = { ...WORK, steps: [code('src/todos.js'), code('test/todos.test.js')] };
    expect(linkedFiles(work, 1, 'test/todos.test.js', null, ENTRIES).agree).toEqual(['src/todos.js']);
  });
});
