/**
 * The project map: one line per file with the names it exports (functions, classes, constants; a
 * page's element ids; a package's scripts) and the agents' note on it. It stands in for the whole text
 * of files a call does not need: a writer sees what exists and what it may use, at a few tokens a file.
 * Names are found with patterns, not a parser: a guess that errs towards listing a name.
 */
import { SYNC_MARKER } from './app-port.ts';
import { linkSpecifiers, resolveLinks } from './file-links.ts';
import type { AgentContext, AgentsState } from './state.ts';

/** Names listed per file at most; the rest are counted. */
const MAX_NAMES = 12;

/** One file of the map. */
export interface MapEntry {
  path: string;
  /** What the file exports (or defines, for a page: its element ids). */
  names: string[];
  /** The agents' one-line note on the file, when there is one. */
  note?: string | undefined;
  /** The project files it imports (or, a page, loads): who imports a file is read from these. */
  imports?: string[] | undefined;
  /** Its size in bytes. */
  size?: number | undefined;
}

const JS = /\.[cm]?[jt]sx?$/;

function unique(names: Iterable<string>): string[] {
  return [...new Set(names)];
}

/** The names a JavaScript or TypeScript module exports (ES modules and CommonJS). */
function jsExports(content: string): string[] {
  const names: string[] = [];
  for (const m of content.matchAll(
    /^\s*export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm,
  ))
    names.push(m[1]!);
  if (/^\s*export\s+default\b(?!\s+(?:async\s+)?(?:function|class)\s+[A-Za-z_$])/m.test(content))
    names.push('default');
  for (const m of content.matchAll(/^\s*export\s*\{([^}]*)\}/gm)) names.push(...listedNames(m[1]!));
  for (const m of content.matchAll(/\bmodule\.exports\s*=\s*\{([^}]*)\}/g)) names.push(...listedNames(m[1]!));
  for (const m of content.matchAll(
    /\bmodule\.exports\s*=\s*(?:async\s+)?(?:function\s+|class\s+)?([A-Za-z_$][\w$]*)/g,
  ))
    if (m[1] !== 'function' && m[1] !== 'class') names.push(m[1]!);
  for (const m of content.matchAll(/\b(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=/g)) names.push(m[1]!);
  return names;
}

/** `a, b as c, d: e` → the exported names (`a`, `c`, `d`). */
function listedNames(list: string): string[] {
  return list
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const renamed = /\bas\s+([\w$]+)$/.exec(part);
      if (renamed) return renamed[1]!;
      return part.split(/[:\s(]/)[0]!;
    })
    .filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
}

/** The names a file offers to the rest of the project, by its kind. */
export function exportedNames(path: string, content: string): string[] {
  if (JS.test(path)) return unique(jsExports(content));
  if (path.endsWith('.py'))
    return unique(
      [...content.matchAll(/^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)/gm)]
        .map((m) => m[1]!)
        .filter((n) => !n.startsWith('_')),
    );
  if (/\.html?$/.test(path) || path.endsWith('.svelte') || path.endsWith('.vue'))
    return unique([...content.matchAll(/\bid\s*=\s*["']([^"']+)["']/g)].map((m) => `#${m[1]!}`));
  if (path.endsWith('package.json')) {
    try {
      const scripts = (JSON.parse(content) as { scripts?: Record<string, unknown> }).scripts ?? {};
      return Object.keys(scripts).map((s) => `script ${s}`);
    } catch {
      return [];
    }
  }
  return [];
}

function entryLine(e: MapEntry, maxNames: number): string {
  const shown = e.names.slice(0, maxNames);
  const more = e.names.length - shown.length;
  const names = shown.length ? `: ${shown.join(', ')}${more > 0 ? ` (+${more} more)` : ''}` : '';
  return `- ${e.path}${names}${e.note ? ` — ${e.note}` : ''}`;
}

/**
 * The map as prompt text within `budgetChars`. What is dropped first when it does not fit: the names
 * beyond the first three of each file, then the notes, then whole directories (the deepest and largest
 * first), which become one line with their count of files.
 */
export function formatProjectMap(entries: readonly MapEntry[], budgetChars: number): string {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : 1));
  const render = (list: readonly MapEntry[], maxNames: number, notes: boolean) =>
    list.map((e) => entryLine(notes ? e : { ...e, note: undefined }, maxNames)).join('\n');
  for (const [maxNames, notes] of [
    [MAX_NAMES, true],
    [3, true],
    [3, false],
  ] as const) {
    const text = render(sorted, maxNames, notes);
    if (text.length <= budgetChars) return text;
  }
  // Fold directories into one line each until the map fits.
  let lines = sorted.map((e) => ({ key: e.path, files: 1, text: entryLine({ ...e, note: undefined }, 3) }));
  const size = () => lines.reduce((n, l) => n + l.text.length + 1, 0);
  while (size() > budgetChars) {
    const dirs = new Map<string, number>();
    for (const l of lines) {
      const cut = l.key.lastIndexOf('/');
      if (cut > 0) dirs.set(l.key.slice(0, cut), (dirs.get(l.key.slice(0, cut)) ?? 0) + 1);
    }
    if (dirs.size === 0) break;
    // The deepest directory with the most lines goes first: it costs the most and matters the least.
    const [dir] = [...dirs].sort(([a, n], [b, m]) => b.split('/').length - a.split('/').length || m - n)[0]!;
    const inside = (l: { key: string }) => l.key.startsWith(`${dir}/`);
    const files = lines.filter(inside).reduce((n, l) => n + l.files, 0);
    lines = [
      ...lines.filter((l) => !inside(l)),
      { key: dir, files, text: `- ${dir}/ (${files} files)` },
    ].sort((a, b) => (a.key < b.key ? -1 : 1));
  }
  const text = lines.map((l) => l.text).join('\n');
  return text.length <= budgetChars
    ? text
    : `${text.slice(0, budgetChars)}\n(the map is cut: the budget is spent)`;
}

/** Exported names and links by project, `path@version` and size: a file is read once per version, not on every call. */
const namesCache = new Map<string, { names: string[]; links: string[] }>();
const CACHE_LIMIT = 20_000;

/** The map's entries for the project's current files (the note of each from the agents' state). */
export async function projectMapEntries(ctx: AgentContext, state: AgentsState): Promise<MapEntry[]> {
  const files = (await ctx.files.list()).filter((f) => f.path !== SYNC_MARKER);
  const paths = files.map((f) => f.path);
  const entries: MapEntry[] = [];
  for (const f of files) {
    // A version number is the file's across branches; the size guards against a discarded write's number reused.
    const key = `${ctx.project.projectId}:${f.path}@${f.version}:${f.size}`;
    let read = namesCache.get(key);
    if (!read) {
      const content = await ctx.files.read(f.path).catch(() => null);
      read =
        content === null
          ? { names: [], links: [] }
          : { names: exportedNames(f.path, content), links: linkSpecifiers(f.path, content) };
      if (namesCache.size >= CACHE_LIMIT) namesCache.delete(namesCache.keys().next().value!);
      namesCache.set(key, read);
    }
    const imports = resolveLinks(f.path, read.links, paths);
    // A binary file (an imported image...) is listed by its path only: its bytes never reach a model.
    const note = state.fileNotes[f.path] ?? (f.binary ? 'binary file, not shown' : undefined);
    entries.push({ path: f.path, names: read.names, note, imports, size: f.size });
  }
  return entries;
}

/** The project map as prompt text, leaving out `exclude` (files the call shows whole), within a budget. */
export async function projectMap(
  ctx: AgentContext,
  state: AgentsState,
  opts: { budgetChars: number; exclude?: readonly string[] },
): Promise<string> {
  const exclude = new Set(opts.exclude ?? []);
  const entries = (await projectMapEntries(ctx, state)).filter((e) => !exclude.has(e.path));
  return entries.length ? formatProjectMap(entries, opts.budgetChars) : '(no other files)';
}
