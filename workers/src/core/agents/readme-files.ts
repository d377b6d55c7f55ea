/**
 * The files the README writer reads whole, chosen from the project's paths: package.json, the entry
 * point the stack's start command runs, the modules it imports (the server and its routes), the page,
 * and what those modules import. Most telling first: the caller's budget cuts from the end. The rest of the project reaches the
 * writer through the project map.
 */
import { isTestFile, relativeImports } from './file-links.ts';
import type { AgentContext } from './state.ts';

/** How many imported modules the writer reads at most (its budget may cut them sooner). */
const MAX_MODULES = 10;

/** The project files a start command names, following `npm start` / `npm run x` into package.json. */
function entryPoints(start: string, paths: readonly string[], scripts: Record<string, string>): string[] {
  const npm = /^npm\s+(?:start|run\s+([\w:-]+))/.exec(start.trim());
  const command = npm ? (scripts[npm[1] ?? 'start'] ?? '') : start;
  const named = command
    .split(/\s+/)
    .map((word) => word.replace(/^\.\//, ''))
    .filter((word) => paths.includes(word));
  if (named.length > 0) return named;
  // A dev server (vite and the like) starts from the page.
  return paths.includes('index.html') ? ['index.html'] : [];
}

function scriptsOf(packageJson: string | null): Record<string, string> {
  if (!packageJson) return {};
  try {
    const scripts = (JSON.parse(packageJson) as { scripts?: unknown }).scripts;
    return scripts && typeof scripts === 'object' ? (scripts as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** The page a user opens first: an index.html at the root or under public/ or src/, else any page. */
function page(paths: readonly string[]): string | null {
  for (const p of ['public/index.html', 'index.html', 'src/index.html', 'static/index.html'])
    if (paths.includes(p)) return p;
  return paths.find((p) => /\.html?$/.test(p) && !p.includes('/', p.indexOf('/') + 1)) ?? null;
}

/** The key files of the project for its README, most telling first. */
export async function readmeKeyFiles(
  ctx: AgentContext,
  paths: readonly string[],
  start: string | null,
): Promise<string[]> {
  const chosen: string[] = [];
  const add = (p: string | null) => {
    if (p && paths.includes(p) && !chosen.includes(p)) chosen.push(p);
  };
  const packageJson = paths.includes('package.json') ? await ctx.files.read('package.json') : null;
  add(packageJson === null ? null : 'package.json');
  const entries = start ? entryPoints(start, paths, scriptsOf(packageJson)) : [];
  entries.forEach(add);
  // The entry's imports (the server, its routes), the page, then what those modules import.
  let level = entries;
  let modules = 0;
  for (let depth = 0; depth < 2 && modules < MAX_MODULES; depth++) {
    const next: string[] = [];
    for (const from of level) {
      const content = await ctx.files.read(from).catch(() => null);
      for (const imported of relativeImports(from, content ?? '', paths)) {
        if (chosen.includes(imported) || isTestFile(imported) || modules >= MAX_MODULES) continue;
        add(imported);
        modules++;
        next.push(imported);
      }
    }
    if (depth === 0) add(page(paths));
    level = next;
  }
  add(page(paths));
  return chosen;
}
