/**
 * Prints each route's initial JavaScript and CSS (gzipped) from the last `vite build`, and fails when
 * a route's JavaScript is over the budget. Initial means what the browser must load before the page
 * renders: kit's entry, the app, the root layout, the route's own layouts and page, and every chunk
 * they import statically. Lazily imported code (an editor, a terminal) does not count.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_KIB = 150;

interface Chunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

const web = fileURLToPath(new URL('..', import.meta.url));
const client = `${web}.svelte-kit/output/client/`;
const manifest = JSON.parse(readFileSync(`${client}.vite/manifest.json`, 'utf8')) as Record<string, Chunk>;
const app = readFileSync(`${web}.svelte-kit/generated/client-optimized/app.js`, 'utf8');

const entryKey = (suffix: string) => {
  const key = Object.keys(manifest).find((k) => k.endsWith(suffix));
  if (!key) throw new Error(`no ${suffix} in the build manifest: run the build first`);
  return key;
};
const nodeKey = (index: number) => entryKey(`client-optimized/nodes/${index}.js`);

/**
 * Route id → node indices (page, then its layouts and error pages), from kit's generated client
 * dictionary: `"/(app)/projects": [5,[2]]`, where a `~` marks a node with a server load.
 */
function routes(): Map<string, number[]> {
  const dictionary = /export const dictionary = \{([\s\S]*?)\};/.exec(app)?.[1] ?? '';
  const result = new Map<string, number[]>();
  for (const [, id = '', nodes = ''] of dictionary.matchAll(/"([^"]+)":\s*(\[.*\])/g)) {
    result.set(
      id,
      [...nodes.matchAll(/~?(-?\d+)/g)].map(([, n]) => Math.abs(Number(n))),
    );
  }
  return result;
}

const gzipCache = new Map<string, number>();
function gzipped(file: string): number {
  let size = gzipCache.get(file);
  if (size === undefined) {
    size = gzipSync(readFileSync(`${client}${file}`), { level: 9 }).length;
    gzipCache.set(file, size);
  }
  return size;
}

function initialFiles(keys: string[]): { js: Set<string>; css: Set<string> } {
  const js = new Set<string>();
  const css = new Set<string>();
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`${key} is not in the build manifest`);
    js.add(chunk.file);
    for (const file of chunk.css ?? []) css.add(file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  keys.forEach(visit);
  return { js, css };
}

const sum = (files: Set<string>) => [...files].reduce((total, file) => total + gzipped(file), 0);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const shell = [entryKey('runtime/client/entry.js'), entryKey('client-optimized/app.js'), nodeKey(0)];
let over = false;
console.log(`Initial JavaScript and CSS per route, gzipped (budget: ${BUDGET_KIB} KiB of JavaScript)`);
for (const [id, nodes] of routes()) {
  const { js, css } = initialFiles([...shell, ...nodes.map(nodeKey)]);
  const jsBytes = sum(js);
  const flag = jsBytes > BUDGET_KIB * 1024 ? '  OVER BUDGET' : '';
  over ||= flag !== '';
  console.log(`  ${id.padEnd(24)} JS ${kib(jsBytes).padStart(10)}  CSS ${kib(sum(css)).padStart(9)}${flag}`);
}
if (over) process.exit(1);
