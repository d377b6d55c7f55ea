/**
 * What stands in for a file's text when the whole does not fit a call: its outline (the top-level
 * declarations: a module's functions, classes and constants, a page's elements with ids and the files it
 * loads, a stylesheet's selectors) and, for the file a call edits, windows of its text around the lines
 * that matter. Lines are shown verbatim, never numbered: a writer copies search texts from them.
 */
import { estimateTokens } from './tokens.ts';

/** Lines an outline keeps at most. */
const MAX_OUTLINE_LINES = 40;
/** Characters of one outline line at most. */
const MAX_OUTLINE_LINE = 160;

const JS = /\.[cm]?[jt]sx?$/;

/** Whether `line` is a top-level declaration worth listing in the outline of the file at `path`. */
function isDeclaration(path: string, line: string): boolean {
  if (JS.test(path))
    return /^(export\s|(async\s+)?function[\s*]|class\s|const\s|let\s|var\s|interface\s|type\s|enum\s|module\.exports|exports\.)/.test(
      line,
    );
  if (path.endsWith('.py')) return /^(async\s+)?(def|class)\s/.test(line);
  if (/\.(html?|svelte|vue)$/.test(path)) return /\bid\s*=|<script\b|<link\b|<form\b|<template\b/.test(line);
  if (/\.(css|scss|less)$/.test(path))
    return /^[^\s@}/][^{]*\{/.test(line) || /^@(media|import)\b/.test(line);
  return false;
}

/** The name a declaration line declares, if it says. */
function declaredName(line: string): string | null {
  return (
    /(?:function\*?|class|const|let|var|interface|type|enum|def)\s+([A-Za-z_$][\w$]*)/.exec(line)?.[1] ?? null
  );
}

/**
 * The file's outline: its top-level declarations, one per line (the first lines, for other kinds of
 * file). Over the limit, the declarations `focus` (a task, instructions) names come first, in file order.
 */
export function fileOutline(path: string, content: string, focus = ''): string {
  const lines = content.split('\n');
  const declared = lines.filter((l) => isDeclaration(path, l.trimEnd()) && l.trim() !== '');
  let kept = declared.length ? declared : lines.slice(0, 10);
  if (kept.length > MAX_OUTLINE_LINES) {
    const words = new Set(focus.match(/[A-Za-z_$][\w$]{2,}/g) ?? []);
    const named = kept.filter((l) => words.has(declaredName(l) ?? '')).slice(0, MAX_OUTLINE_LINES);
    const others = kept.filter((l) => !named.includes(l)).slice(0, MAX_OUTLINE_LINES - named.length);
    const chosen = new Set([...named, ...others]);
    kept = kept.filter((l) => chosen.has(l));
  }
  const hidden = (declared.length ? declared.length : 0) - kept.length;
  const shown = kept.map((l) => {
    const text = /\.(html?|svelte|vue)$/.test(path) ? l.trim() : l.trimEnd();
    return text.length > MAX_OUTLINE_LINE ? `${text.slice(0, MAX_OUTLINE_LINE)}…` : text;
  });
  return [...shown, ...(hidden > 0 ? [`[... ${hidden} more declarations ...]`] : [])].join('\n');
}

/** The lines (0-based) of `content` that name an identifier of `text` (a step's instructions). */
export function linesNaming(content: string, text: string): number[] {
  const lines = content.split('\n');
  // Names a person writes in instructions: camelCase, snake_case, #ids, .classes, words in backticks.
  const names = new Set(
    [...text.matchAll(/`([^`\n]{3,60})`|([#.]?[A-Za-z_$][\w$-]*[A-Z_$-][\w$-]*)/g)]
      .map((m) => (m[1] ?? m[2]!).replace(/^[#.]/, ''))
      .filter((n) => n.length >= 3),
  );
  const found: number[] = [];
  lines.forEach((line, i) => {
    for (const name of names) if (line.includes(name)) return void found.push(i);
  });
  return found;
}

/**
 * Windows of `content` around `anchors` (0-based lines) after the file's outline, within `budgetTokens`:
 * the widest windows that fit (40 lines either side, down to 2), else the file's beginning. Gaps say how
 * many lines they leave out.
 */
export function excerpt(
  path: string,
  content: string,
  anchors: readonly number[],
  budgetTokens: number,
  focus = '',
): string {
  const lines = content.split('\n');
  const note = `(only parts of ${path} are shown: the whole is over the context budget. Its outline:)\n${fileOutline(path, content, focus)}\n(the parts around the lines that matter here, verbatim:)`;
  const points = anchors.length ? [...new Set(anchors)].sort((a, b) => a - b) : [0];
  for (const radius of [40, 20, 10, 5, 2]) {
    const parts: string[] = [];
    let shownTo = 0;
    let start = -1;
    let end = -1;
    const flush = () => {
      if (start < 0) return;
      if (start > shownTo) parts.push(`[... lines ${shownTo + 1}–${start} left out ...]`);
      parts.push(lines.slice(start, end + 1).join('\n'));
      shownTo = end + 1;
    };
    for (const p of points) {
      const from = Math.max(0, p - radius);
      const to = Math.min(lines.length - 1, p + radius);
      if (start >= 0 && from <= end + 1) end = Math.max(end, to);
      else {
        flush();
        start = from;
        end = to;
      }
    }
    flush();
    if (shownTo < lines.length) parts.push(`[... lines ${shownTo + 1}–${lines.length} left out ...]`);
    const text = `${note}\n${parts.join('\n')}`;
    if (estimateTokens(text) <= budgetTokens) return text;
  }
  const room = Math.max(0, budgetTokens * 4 - note.length - 80);
  return `${note}\n${content.slice(0, room)}\n[... the rest is left out ...]`;
}
