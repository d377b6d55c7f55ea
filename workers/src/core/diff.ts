/**
 * Line diffs between two versions of a file (Myers' O(ND) algorithm), as hunks and as unified-diff text.
 * Pure: used by the files API and by agents that show what they changed.
 */

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

export interface FileDiff {
  added: number;
  removed: number;
  hunks: Hunk[];
  /** The hunks as `diff -u` prints them (without the `---`/`+++` header). */
  unified: string;
}

/** Beyond this many differing lines the diff is reported as a whole replacement (bounded work). */
const MAX_EDIT_DISTANCE = 4000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script from `a` to `b`: for each line, kept, removed or added. */
function editScript(a: string[], b: string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= Math.min(max, MAX_EDIT_DISTANCE) && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  if (!found) {
    return [
      ...a.map((text) => ({ op: '-' as const, text })),
      ...b.map((text) => ({ op: '+' as const, text })),
    ];
  }
  const script: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      script.push({ op: ' ', text: a[x - 1]! });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) script.push({ op: '+', text: b[y - 1]! });
      else script.push({ op: '-', text: a[x - 1]! });
    }
    x = prevX;
    y = prevY;
  }
  return script.reverse();
}

/** Diffs two texts line by line with `context` unchanged lines around each change. */
export function diffText(before: string, after: string, context = 3): FileDiff {
  const script = editScript(splitLines(before), splitLines(after));
  // For each position, where the next change is (so hunks can be closed in one pass).
  const nextChange = new Int32Array(script.length + 1).fill(-1);
  for (let i = script.length - 1; i >= 0; i--) {
    nextChange[i] = script[i]!.op !== ' ' ? i : nextChange[i + 1]!;
  }
  const hunks: Hunk[] = [];
  let added = 0;
  let removed = 0;
  let oldLine = 1;
  let newLine = 1;
  let current: Hunk | null = null;
  let trailing = 0;
  for (let i = 0; i < script.length; i++) {
    const line = script[i]!;
    if (line.op === ' ') {
      if (current) {
        // Keep context after a change; close the hunk when the next change is too far.
        const upcoming = nextChange[i + 1]!;
        const gap = upcoming === -1 ? Infinity : upcoming - i;
        if (trailing < context || gap <= context) {
          current.lines.push(line);
          current.oldLines++;
          current.newLines++;
          trailing++;
        } else {
          hunks.push(current);
          current = null;
        }
      }
      oldLine++;
      newLine++;
      continue;
    }
    if (!current) {
      const lead = Math.min(context, countLeadingContext(script, i));
      current = {
        oldStart: oldLine - lead,
        oldLines: lead,
        newStart: newLine - lead,
        newLines: lead,
        lines: [],
      };
      for (let j = i - lead; j < i; j++) current.lines.push(script[j]!);
    }
    trailing = 0;
    current.lines.push(line);
    if (line.op === '-') {
      removed++;
      current.oldLines++;
      oldLine++;
    } else {
      added++;
      current.newLines++;
      newLine++;
    }
  }
  if (current) hunks.push(current);
  const unified = hunks
    .map((h) => {
      const header = `@@ -${h.oldLines === 0 ? h.oldStart - 1 : h.oldStart},${h.oldLines} +${h.newLines === 0 ? h.newStart - 1 : h.newStart},${h.newLines} @@`;
      return [header, ...h.lines.map((l) => `${l.op}${l.text}`)].join('\n');
    })
    .join('\n');
  return { added, removed, hunks, unified };
}

function countLeadingContext(script: DiffLine[], index: number): number {
  let count = 0;
  for (let j = index - 1; j >= 0 && script[j]!.op === ' '; j--) count++;
  return count;
}
