/**
 * A search text that does not occur exactly but matches one place "up to whitespace". Real models' search
 * texts are often almost right: other indentation, tabs for spaces, trailing spaces, LF in a CRLF file, a
 * blank line more or less. The comparison is by whole lines:
 *
 * - each line is compared with its leading and trailing whitespace (and a CR) removed;
 * - blank lines are ignored on both sides (a blank line is only whitespace: a search that collapsed or
 *   added one still names the same lines, and nothing but blank lines can lie between matched lines);
 * - the matched place is the file's lines from the first matched line to the last, whole.
 *
 * It is applied only when exactly one place matches, and only when the indentation differs consistently
 * (the same prefix added or removed on every line, or another unit: tabs for spaces, 2 spaces for 4): the replacement
 * is then re-indented the same way and written with the file's line breaks. Anything else is refused.
 */

export type NearMiss =
  | { ok: true; content: string }
  | { ok: false; reason: 'no-match' | 'no-lines' | 'indentation' }
  | { ok: false; reason: 'ambiguous'; places: number };

interface Line {
  /** Offset of the line's first character in the file. */
  start: number;
  /** The line without its line break (and without a CR before it). */
  body: string;
  crlf: boolean;
}

function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const raw = nl < 0 ? text.slice(start) : text.slice(start, nl);
    const crlf = nl >= 0 && raw.endsWith('\r');
    lines.push({ start, body: crlf ? raw.slice(0, -1) : raw, crlf });
    if (nl < 0) return lines;
    start = nl + 1;
  }
}

const key = (line: string) => line.trim();
const indentOf = (line: string) => /^[ \t]*/.exec(line)![0];

/** The positions (file line indices) of each non-blank search line, for every place that matches. */
function places(file: readonly Line[], search: readonly string[]): number[][] {
  const found: number[][] = [];
  for (let first = 0; first < file.length; first++) {
    if (key(file[first]!.body) !== key(search[0]!)) continue;
    const at = [first];
    let p = first;
    for (let j = 1; j < search.length; j++) {
      p++;
      while (p < file.length && key(file[p]!.body) === '') p++;
      if (p >= file.length || key(file[p]!.body) !== key(search[j]!)) break;
      at.push(p);
    }
    if (at.length === search.length) found.push(at);
  }
  return found;
}

function commonSuffixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/**
 * How to turn the search's indentation into the file's, from the matched pairs of lines: a fixed prefix
 * swapped on every line, or another unit at the same depth (tabs for spaces, two spaces for four).
 * Null when inconsistent.
 */
export function indentMapping(
  pairs: readonly { file: string; search: string }[],
): ((line: string) => string) | null {
  const indents = pairs.map((p) => ({ file: indentOf(p.file), search: indentOf(p.search) }));
  if (indents.every((i) => i.file === i.search)) return (line) => line;

  const swaps = indents.map((i) => {
    const n = commonSuffixLength(i.file, i.search);
    return { to: i.file.slice(0, i.file.length - n), from: i.search.slice(0, i.search.length - n) };
  });
  const { to, from } = swaps[0]!;
  if (swaps.every((s) => s.to === to && s.from === from))
    return (line) => (line.startsWith(from) && line.trim() !== '' ? to + line.slice(from.length) : line);

  // Another indentation unit: a tab for some spaces, or two spaces for four. Each side indents with one
  // character, and every line's depth keeps the same ratio.
  const unit = (indent: string) => (indent === '' ? '' : indent[0]!);
  const fileChar = indents.map((i) => unit(i.file)).find(Boolean);
  const searchChar = indents.map((i) => unit(i.search)).find(Boolean);
  const sample = indents.find((i) => i.file !== '' && i.search !== '');
  if (!fileChar || !searchChar || !sample) return null;
  const uniform = (indent: string, char: string) => indent === char.repeat(indent.length);
  const [f, s] = [sample.file.length, sample.search.length];
  const consistent = indents.every(
    (i) =>
      uniform(i.file, fileChar) && uniform(i.search, searchChar) && i.search.length * f === i.file.length * s,
  );
  if (!consistent) return null;
  return (line) => {
    const n = /^[ \t]*/.exec(line)![0];
    if (!uniform(n, searchChar) || line.trim() === '') return line;
    const depth = Math.floor((n.length * f) / s);
    const rest = n.length - Math.ceil((depth * s) / f);
    return fileChar.repeat(depth) + ' '.repeat(Math.max(0, rest)) + line.slice(n.length);
  };
}

/** Applies `search` → `replace` to the one place of `content` that matches up to whitespace, if any. */
export function applyNearMiss(content: string, search: string, replace: string): NearMiss {
  const searchLines = search.split(/\r?\n/);
  const anchored = searchLines.filter((l) => key(l) !== '');
  if (anchored.length === 0) return { ok: false, reason: 'no-lines' };
  const file = linesOf(content);
  const found = places(file, anchored);
  if (found.length === 0) return { ok: false, reason: 'no-match' };
  if (found.length > 1) return { ok: false, reason: 'ambiguous', places: found.length };
  const at = found[0]!;
  const reindent = indentMapping(at.map((p, j) => ({ file: file[p]!.body, search: anchored[j]! })));
  if (!reindent) return { ok: false, reason: 'indentation' };

  // The search's blank lines before its first and after its last text line stand for line breaks
  // around the matched lines; the replacement's are dropped in the same number, so a search and a
  // replacement that both end with a newline replace whole lines with whole lines.
  const leading = searchLines.findIndex((l) => key(l) !== '');
  const trailing = searchLines.length - 1 - searchLines.findLastIndex((l) => key(l) !== '');
  let replaceLines = replace.split(/\r?\n/);
  for (let i = 0; i < leading && replaceLines.length > 0 && key(replaceLines[0]!) === ''; i++)
    replaceLines = replaceLines.slice(1);
  for (let i = 0; i < trailing && replaceLines.length > 0 && key(replaceLines.at(-1)!) === ''; i++)
    replaceLines = replaceLines.slice(0, -1);

  const first = file[at[0]!]!;
  const last = file[at.at(-1)!]!;
  const eol = first.crlf ? '\r\n' : '\n';
  const end = last.start + last.body.length;
  if (replaceLines.length === 0) {
    // Deleting the lines: their line break goes too.
    const after = end + (last.crlf ? 2 : content[end] === '\n' ? 1 : 0);
    return { ok: true, content: content.slice(0, first.start) + content.slice(after) };
  }
  const text = replaceLines.map(reindent).join(eol);
  return { ok: true, content: content.slice(0, first.start) + text + content.slice(end) };
}
