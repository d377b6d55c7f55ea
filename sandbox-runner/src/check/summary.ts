/**
 * A check's result in words: one line for the UI, and a short plain-text evidence block for the model
 * that fixes the app (what failed, where, the first lines of each error). Pure: no runtime imports.
 */
import type { PageCheckProblem, PageCheckResult } from '../contract.ts';

export interface PageCheckSummary {
  /** One line for the UI, e.g. `Preview check failed: 2 problems (page error: boom; GET /style.css answered 404)`. */
  line: string;
  /** Plain text for the debug loop's prompt; at most `MAX_EVIDENCE_CHARS`. */
  evidence: string;
}

const MAX_EVIDENCE_CHARS = 4_000;
/** Lines of one problem's message kept in the evidence (message and first stack frames). */
const MESSAGE_LINES = 6;
const LINE_CHARS = 200;

const LABEL: Record<PageCheckProblem['kind'], string> = {
  page_error: 'page error',
  console_error: 'console error',
  request_failed: 'request failed',
  http_error: 'HTTP error',
  blank_page: 'blank page',
  navigation: 'navigation',
  timeout: 'timeout',
  third_party: 'blocked request to another origin',
  pending_request: 'request still open',
};

function firstLine(text: string, max = 80): string {
  const line = (text.split('\n')[0] ?? '').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function where(problem: PageCheckProblem): string {
  if (!problem.url) return '';
  return problem.line ? ` [${problem.url}:${problem.line}]` : ` [${problem.url}]`;
}

function describe(problem: PageCheckProblem): string[] {
  const lines = problem.message.split('\n').slice(0, MESSAGE_LINES);
  const times = problem.count ? ` (×${problem.count})` : '';
  const head = `${LABEL[problem.kind]}${times}: ${firstLine(lines[0] ?? '', LINE_CHARS)}${where(problem)}`;
  return [head, ...lines.slice(1).map((line) => `    ${firstLine(line, LINE_CHARS)}`)];
}

/** The result as a UI line and an evidence block. */
export function summary(result: PageCheckResult): PageCheckSummary {
  const title = result.title ? ` "${firstLine(result.title, 60)}"` : '';
  if (result.status === 'skipped') {
    const reason = result.reason ?? 'no reason given';
    return {
      line: `Preview check skipped: ${reason}`,
      evidence: `The preview check of ${result.url} did not run: ${reason}. Nothing is known about the page.`,
    };
  }
  const shown = result.problems
    .slice(0, 3)
    .map((problem) => `${LABEL[problem.kind]}: ${firstLine(problem.message, 100)}`)
    .join('; ');
  const more = result.problems.length > 3 ? '; …' : '';
  const count = `${plural(result.problems.length, 'problem')}${result.omitted > 0 ? ' and more' : ''}`;
  const line =
    result.status === 'passed'
      ? `Preview check passed: ${result.url}${title} rendered in ${seconds(result.durationMs)}`
      : `Preview check failed: ${count} (${shown}${more})`;

  const out: string[] = [
    `Preview check ${result.status.toUpperCase()} for ${result.url}${title}` +
      ` (page answered ${result.documentStatus ?? 'nothing'}, ${seconds(result.durationMs)}).`,
  ];
  if (result.problems.length > 0) {
    out.push('', 'Problems (each fails the check):');
    result.problems.forEach((problem, i) => {
      const [head, ...rest] = describe(problem);
      out.push(`${i + 1}. ${head}`, ...rest);
    });
  }
  if (result.notes.length > 0) {
    out.push('', 'Notes (do not fail the check; the check reaches only the app’s own origin):');
    for (const note of result.notes) out.push(`- ${describe(note)[0]}`);
    if (result.problems.length > 0 && result.notes.some((note) => note.kind === 'third_party')) {
      out.push(
        'If a problem above comes from a script, style or API of another origin that did not load, serve it from the app itself.',
      );
    }
  }
  if (result.omitted > 0) out.push('', `(${plural(result.omitted, 'more problem or note')} left out)`);
  let evidence = out.join('\n');
  if (evidence.length > MAX_EVIDENCE_CHARS) evidence = `${evidence.slice(0, MAX_EVIDENCE_CHARS - 1)}…`;
  return { line, evidence };
}
