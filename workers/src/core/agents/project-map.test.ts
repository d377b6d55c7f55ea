import { describe, expect, it } from 'vitest';
import { exportedNames, formatProjectMap, type MapEntry } from './project-map.ts';

describe('the project map', () => {
  it('lists what a module exports, in ES module and CommonJS form', () => {
    const esm = [
      'export function createApp() {}',
      'export async function start(port) {}',
      'export const PORT = 3000;',
      'export class Store {}',
      'export type Todo = { id: number };',
      'const a = 1, b = 2;',
      'export { a, b as bee };',
      'export default createApp;',
      'function helper() {}',
    ].join('\n');
    expect(exportedNames('src/app.ts', esm)).toEqual([
      'createApp',
      'start',
      'PORT',
      'Store',
      'Todo',
      'default',
      'a',
      'bee',
    ]);
    const cjs =
      'function add(a, b) {}\nmodule.exports = { add, sub: (a, b) => a - b };\nexports.mul = () => 0;';
    expect(exportedNames('lib/math.js', cjs)).toEqual(['add', 'sub', 'mul']);
    expect(exportedNames('server.cjs', 'module.exports = createServer;')).toEqual(['createServer']);
  });

  it("lists a page's element ids, a package's scripts and a Python module's public names", () => {
    expect(exportedNames('public/index.html', '<form id="new-todo"><ul id=\'list\'></ul></form>')).toEqual([
      '#new-todo',
      '#list',
    ]);
    expect(
      exportedNames('package.json', '{"scripts":{"test":"node --test","start":"node server.js"}}'),
    ).toEqual(['script test', 'script start']);
    expect(exportedNames('package.json', '{ not json')).toEqual([]);
    expect(
      exportedNames('app.py', 'def create_app():\n  pass\nclass Todo:\n  pass\ndef _private():\n  pass'),
    ).toEqual(['create_app', 'Todo']);
    expect(exportedNames('style.css', '#list { color: red }')).toEqual([]);
  });

  it('fits its budget by dropping names, then notes, then folding the deepest directories', () => {
    const entries: MapEntry[] = [
      { path: 'server.js', names: ['createServer'], note: 'the HTTP server' },
      ...Array.from({ length: 40 }, (_, i) => ({
        path: `src/components/widgets/w${i}.js`,
        names: ['render', 'update', 'destroy', 'mount', 'unmount'],
        note: 'a widget of the dashboard',
      })),
    ];
    const full = formatProjectMap(entries, 100_000);
    expect(full).toContain('- server.js: createServer — the HTTP server');
    expect(full).toContain(
      '- src/components/widgets/w0.js: render, update, destroy, mount, unmount — a widget',
    );

    const shorter = formatProjectMap(entries, 3_200);
    expect(shorter.length).toBeLessThanOrEqual(3_200);
    expect(shorter).toContain('- src/components/widgets/w0.js: render, update, destroy (+2 more)');
    expect(shorter).not.toContain('a widget');

    const folded = formatProjectMap(entries, 300);
    expect(folded.length).toBeLessThanOrEqual(300);
    expect(folded).toContain('- server.js: createServer');
    expect(folded).toContain('- src/components/widgets/ (40 files)');
  });
});
