/**
 * A failing command's output as the fixer reads it. An output within the limit is shown whole (colour
 * codes removed). A longer one is not cut blindly at its head or tail, where a test runner may print a
 * failure among hundreds of passing tests: the lines that carry no evidence go first (passing tests,
 * node:test's blocks about them, stack frames outside the project), and if that is not enough, the
 * excerpt keeps, in the output's order, the failing tests' names, their assertion messages with the
 * expected and actual values, the stack frames in project files and the first error, each with a few
 * lines around it, then the runner's closing summary, then (while there is room) the other lines from
 * the start, such as the logging a fix added. Works on what node:test (TAP and spec), vitest,
 * jest, mocha, pytest and Python's tracebacks print, and on any output with error-looking lines.
 */

// Colour and cursor codes (jest colours its code frames even without a terminal).
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** A passing test as the runners print it. */
const PASSING = /^\s*(✔|✓|√)\s|^\s*ok \d+ - |^\s*PASS\s|\sPASSED(\s+\[\s*\d+%\])?\s*$|^\s*# Subtest: /;
/** A stack frame outside the project: the runtime's, a dependency's, the test runner's. */
const LIBRARY_FRAME =
  /^\s*(at |❯ )?.*(node:internal|node:async_hooks|node_modules\/|\/site-packages\/|\/lib\/python\d|<frozen |processImmediate|process\.processTicksAndRejections)/;
const FRAME = /^\s*(at |❯ |File ")/;
/** A failing test's name, or the line that introduces a failure or an error. */
const FAILURE_MARK =
  /^\s*not ok \d+|^\s*(✖|×|✕|●)\s|^\s*FAIL\s|^>\s{3,}\S|^\s*\d+\) \S|^FAILED |^E\s|^Traceback |^\s*failureType:|\b\w*(Error|Exception)\b(:|\s\[)|^\s*error:|\bnpm (ERR!|error)\b|^\s*Caused by:/;
/** An assertion's details: what was expected, what came instead. */
const ASSERTION =
  /expected|actual|received|!==|\bassert|Difference|^\s*[-+] (Expected|Received|actual|expected)|^\s*[-+]\s{1,3}\S/i;
/** A stack frame in the project's own files (the workspace, or a path relative to it). */
const PROJECT_FRAME =
  /^\s*(at |❯ ).*(\/workspace\/|\(?(src|test|tests|lib|app|public)\/[^\s:)]+:\d+)|^\s*File "\/workspace\/|^\S+\.py:\d+: \w+/;
/** The runners' closing summaries. */
const SUMMARY =
  /^\s*(# (tests|pass|fail)\b|ℹ (tests|pass|fail)\b|Tests?:?\s|Test (Files|Suites):?\s|\d+ (passing|failing)\b|=+ .*(failed|passed|error).* =+$)/;

/** Lines kept around an important one: before it, after it. */
const BEFORE = 1;
const AFTER = 4;
/** Lines of the closing summary kept at the end. */
const TAIL_LINES = 12;

/** Lines that carry no evidence: passing tests (with node:test's TAP block about each) and library frames. */
function noiseLines(lines: readonly string[]): boolean[] {
  const noise = lines.map(
    (l) => PASSING.test(l) || ((FRAME.test(l) || /:\d+:\d+\)?\s*$/.test(l)) && LIBRARY_FRAME.test(l)),
  );
  for (let i = 0; i < lines.length; i++) {
    // A Python frame of a library: its source lines (and their ^^^ markers) go with it.
    if (!noise[i] || !/^\s*File "/.test(lines[i]!)) continue;
    for (let j = i + 1; j < lines.length && /^\s{4,}\S/.test(lines[j]!) && !/^\s*File "/.test(lines[j]!); j++)
      noise[j] = true;
  }
  // node:test's TAP: a passing test's "ok" line is followed by a YAML block of its duration.
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*ok \d+ - /.test(lines[i]!) || !/^\s*---\s*$/.test(lines[i + 1] ?? '')) continue;
    let j = i + 1;
    while (j < lines.length && !/^\s*\.\.\.\s*$/.test(lines[j]!)) noise[j++] = true;
    if (j < lines.length) noise[j] = true;
  }
  return noise;
}

/** A test's own name without its suites. */
const lastPart = (name: string) => name.split(/ [>›] /).at(-1)!;

/** The names of the failing tests, as the runners print them, in order and once each. */
export function failingTestNames(output: string): string[] {
  const names: string[] = [];
  const patterns = [
    /^\s*not ok \d+ - (.+)$/,
    /^\s*(?:✖|×|✕)\s+(.+?)(?:\s+\(?\d+(?:\.\d+)?\s?ms\)?)?$/,
    /^\s*●\s+(.+)$/,
    /^\s*FAIL\s+\S+\s+>\s+(.+)$/,
    /^\s*\d+\) (.+?):?$/,
    /^FAILED (\S+)/,
  ];
  const lines = output.replace(ANSI, '').split('\n');
  for (const [i, line] of lines.entries()) {
    // mocha's details name the suite on one line and the test on the next ("1) money" / "  splits:").
    if (/^\s*\d+\) /.test(line) && /^\s+\S.*:$/.test(lines[i + 1] ?? '')) continue;
    for (const pattern of patterns) {
      const name = pattern.exec(line)?.[1]?.trim();
      if (!name || /^failing tests:?$/i.test(name)) continue;
      // vitest and jest name a test twice, alone and within its suite ("cart > adds"): kept once, whole.
      const known = names.findIndex((n) => lastPart(n) === lastPart(name));
      if (known < 0) names.push(name);
      else if (name.length > names[known]!.length) names[known] = name;
    }
  }
  return names;
}

function important(line: string): boolean {
  return FAILURE_MARK.test(line) || ASSERTION.test(line) || PROJECT_FRAME.test(line);
}

/** Joins kept lines in order, saying how many were left out between them. */
function joinKept(lines: readonly string[], keep: readonly boolean[]): string {
  const out: string[] = [];
  let skipped = 0;
  for (let i = 0; i < lines.length; i++) {
    if (keep[i]) {
      if (skipped > 0) out.push(`[... ${skipped} line${skipped > 1 ? 's' : ''} left out ...]`);
      skipped = 0;
      out.push(lines[i]!);
    } else skipped++;
  }
  if (skipped > 0) out.push(`[... ${skipped} line${skipped > 1 ? 's' : ''} left out ...]`);
  return out.join('\n');
}

/**
 * The output for the fixer, at most about `limit` characters: whole when it fits, otherwise the
 * relevant excerpt (see the module's comment), headed by the failing tests' names.
 */
export function failureExcerpt(output: string, limit: number): string {
  const plain = output.replace(ANSI, '');
  if (plain.length <= limit) return plain;
  const lines = plain.split('\n');
  const noise = noiseLines(lines);
  const names = failingTestNames(plain);
  const head = [
    `[The output was ${lines.length} lines long; this is the relevant excerpt: passing tests and library stack frames left out.]`,
    names.length > 0 && `Failing tests: ${names.slice(0, 20).join('; ')}`,
  ]
    .filter(Boolean)
    .join('\n');
  // What the kept lines may take: the rest, less a share for the "left out" markers between them.
  const budget = Math.floor((limit - head.length - 1) * 0.9);
  // First, everything but the noise.
  const cleaned = joinKept(
    lines,
    noise.map((n) => !n),
  );
  if (cleaned.length <= budget) return `${head}\n${cleaned}`;
  // Then the important lines with a few around each, in order, and the closing summary, within budget.
  const keep = lines.map(() => false);
  let used = 0;
  const take = (i: number): boolean => {
    if (keep[i] || noise[i]) return true;
    const cost = lines[i]!.length + 1;
    if (used + cost > budget) return false;
    keep[i] = true;
    used += cost;
    return true;
  };
  // The closing summary is reserved first: it says how many failed.
  const tail = lines.flatMap((l, i) => (!noise[i] && l.trim() ? [i] : [])).slice(-TAIL_LINES);
  for (const i of tail.filter((i) => SUMMARY.test(lines[i]!) || important(lines[i]!))) take(i);
  const marks = lines.flatMap((l, i) => (!noise[i] && important(l) ? [i] : []));
  outer: for (const mark of marks) {
    for (let i = Math.max(0, mark - BEFORE); i <= Math.min(lines.length - 1, mark + AFTER); i++) {
      if (!take(i)) break outer;
    }
  }
  for (const i of tail) take(i);
  // What room is left goes to the other lines from the start (the fixer's own logging among them).
  for (let i = 0; i < lines.length; i++) if (!take(i)) break;
  const excerpt = `${head}\n${joinKept(lines, keep)}`;
  // The "left out" markers are not budgeted: an excerpt they push over the limit is cut at its end.
  return excerpt.length <= limit ? excerpt : `${excerpt.slice(0, limit - 16)}\n[... cut ...]`;
}
