/**
 * What a re-ask shows of each file whose change was refused: the file's current text when it is small,
 * else a numbered window around the place each refused search text came closest to, with those lines
 * marked. The agent may never have seen the file (an earlier fix wrote it), so "copy the search text from
 * the current file" is only possible with the file in front of it. Bounded, so an 8k-token context fits.
 */

/** A file the re-ask is about: its current text and the search texts that matched nowhere or twice. */
export interface RefusedFile {
  path: string;
  content: string;
  missed: readonly string[];
}

/** A file up to this size is shown whole. */
export const WHOLE_FILE_LINES = 200;
export const WHOLE_FILE_CHARS = 8_000;
/** All shown file text together stays under this; the rest is cut, saying so. */
export const SHOWN_CHARS = 12_000;
/** A window shows this many lines before the closest place and after its start. */
const BEFORE = 10;
const AFTER = 30;
/** Windows per file (one per refused search text). */
const WINDOWS_PER_FILE = 3;
/** Lines compared when looking for the closest place: the search text's first non-blank ones. */
const COMPARED_LINES = 3;
/** A longer line (minified code) is cut in a window. */
const LINE_CHARS = 300;

function bigrams(s: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + 1 < s.length; i++) {
    const b = s.slice(i, i + 2);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return counts;
}

/** Similarity of two trimmed lines in [0, 1] (Dice coefficient of their character pairs). */
export function lineSimilarity(a: string, b: string): number {
  const x = a.trim();
  const y = b.trim();
  if (x === y) return x === '' ? 0 : 1;
  if (x.length < 2 || y.length < 2) return 0;
  const bx = bigrams(x);
  let shared = 0;
  for (const [bigram, n] of bigrams(y)) shared += Math.min(n, bx.get(bigram) ?? 0);
  return (2 * shared) / (x.length - 1 + y.length - 1);
}

/**
 * The 0-based index of the file line where the search text's first lines come closest (the first such
 * place on a tie), and the indices of the lines there that resemble them at all.
 */
export function closestPlace(
  lines: readonly string[],
  search: string,
): { start: number; marked: number[] } | null {
  const wanted = search
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(0, COMPARED_LINES);
  if (wanted.length === 0) return null;
  let best = { start: -1, score: 0 };
  for (let start = 0; start < lines.length; start++) {
    let score = 0;
    wanted.forEach((w, j) => {
      const line = lines[start + j];
      if (line !== undefined) score += lineSimilarity(line, w);
    });
    if (score > best.score) best = { start, score };
  }
  if (best.start < 0) return null;
  const marked = wanted
    .map((w, j) => best.start + j)
    .filter((i, j) => i < lines.length && lineSimilarity(lines[i]!, wanted[j]!) > 0);
  return { start: best.start, marked };
}

/** A fence that no backtick run in the text can close. */
function fenced(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${text}${text.endsWith('\n') ? '' : '\n'}${fence}`;
}

function window(lines: readonly string[], from: number, to: number, marked: readonly number[]): string {
  const width = String(to).length;
  const shown: string[] = [];
  for (let i = from; i < to; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const cut = line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS)} …(line cut)` : line;
    shown.push(`${marked.includes(i) ? '>' : ' '} ${String(i + 1).padStart(width)}| ${cut}`);
  }
  return fenced(shown.join('\n'));
}

/** The section about one file. */
function fileSection(file: RefusedFile): string {
  const lines = file.content.split('\n');
  if (lines.length <= WHOLE_FILE_LINES && file.content.length <= WHOLE_FILE_CHARS)
    return `The current text of ${file.path} (the whole file):\n${fenced(file.content)}`;
  const header = `${file.path} has ${lines.length} lines; in the windows below, line numbers and the ">" markers are not part of the file.`;
  const windows = file.missed.slice(0, WINDOWS_PER_FILE).map((search, i) => {
    const place = closestPlace(lines, search);
    const start = place?.start ?? 0;
    const from = Math.max(0, start - BEFORE);
    const to = Math.min(lines.length, start + AFTER);
    const about = place
      ? `the lines closest to the start of search text ${i + 1} (${JSON.stringify(search.split('\n')[0]!.slice(0, 80))}) are marked with ">"`
      : `nothing in it resembles search text ${i + 1}`;
    return `Lines ${from + 1}–${to} (${about}):\n${window(lines, from, to, place?.marked ?? [])}`;
  });
  if (windows.length === 0)
    windows.push(
      `Lines 1–${Math.min(lines.length, AFTER)}:\n${window(lines, 0, Math.min(lines.length, AFTER), [])}`,
    );
  return [header, ...windows].join('\n');
}

/** Text cut inside a fenced block, with the block closed. */
function closeFence(text: string): string {
  const fences = text.match(/^`{3,}$/gm) ?? [];
  return fences.length % 2 === 1 ? `${text}\n${fences.at(-1)!}` : text;
}

/**
 * The current text of the refused files for a re-ask, all of it under `SHOWN_CHARS` (a section that
 * does not fit is cut at a line, saying so, and the files after it are named only). Empty without files.
 */
export function refusedFilesText(files: readonly RefusedFile[]): string {
  if (files.length === 0) return '';
  const parts: string[] = [];
  let left = SHOWN_CHARS;
  for (const [i, file] of files.entries()) {
    const section = fileSection(file);
    if (section.length <= left) {
      parts.push(section);
      left -= section.length;
      continue;
    }
    const kept = closeFence(section.slice(0, Math.max(0, left)).replace(/\n[^\n]*$/, ''));
    const rest = files.slice(i + 1).map((f) => f.path);
    parts.push(
      `${kept}\n…(cut here to keep the prompt short${rest.length ? `; not shown: ${rest.join(', ')}` : ''})`,
    );
    break;
  }
  return parts.join('\n\n');
}
