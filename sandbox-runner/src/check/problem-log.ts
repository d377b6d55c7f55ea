/**
 * The problems and notes of one check, as they arrive from the browser's events: redacted, the same one
 * counted instead of repeated, and capped in number, so a page that logs an error in a loop still makes a
 * small result.
 */
import type { PageCheckProblem } from '../contract.ts';
import { publicUrl } from './redact.ts';
import type { Redactor } from './redact.ts';

/** Distinct problems kept (those that fail the check). */
export const MAX_PROBLEMS = 20;
/** Distinct notes kept (those that do not). */
export const MAX_NOTES = 10;

class CappedList {
  readonly items: PageCheckProblem[] = [];
  private readonly byKey = new Map<string, PageCheckProblem>();
  private readonly max: number;
  omitted = 0;

  constructor(max: number) {
    this.max = max;
  }

  add(problem: PageCheckProblem): void {
    const key = JSON.stringify([problem.kind, problem.message, problem.url, problem.line, problem.status]);
    const seen = this.byKey.get(key);
    if (seen) {
      seen.count = (seen.count ?? 1) + 1;
      return;
    }
    if (this.items.length >= this.max) {
      this.omitted += 1;
      return;
    }
    this.byKey.set(key, problem);
    this.items.push(problem);
  }
}

export class ProblemLog {
  private readonly problemList = new CappedList(MAX_PROBLEMS);
  private readonly noteList = new CappedList(MAX_NOTES);
  private readonly redactor: Redactor;
  private open = true;

  /** Problems and notes are recorded redacted: the log never holds a secret. */
  constructor(redactor: Redactor) {
    this.redactor = redactor;
  }

  /** Records something that fails the check. */
  problem(problem: PageCheckProblem): void {
    if (this.open) this.problemList.add(this.redact(problem));
  }

  /** Records something worth telling that does not fail the check. */
  note(problem: PageCheckProblem): void {
    if (this.open) this.noteList.add(this.redact(problem));
  }

  /** Stops recording: events that arrive while the page is being closed are not part of the check. */
  seal(): void {
    this.open = false;
  }

  /** True when at least one problem was seen (kept or omitted). */
  get failed(): boolean {
    return this.problemList.items.length > 0 || this.problemList.omitted > 0;
  }

  /** True when a problem of this kind was recorded. */
  has(kind: PageCheckProblem['kind']): boolean {
    return this.problemList.items.some((problem) => problem.kind === kind);
  }

  get problems(): PageCheckProblem[] {
    return this.problemList.items;
  }

  get notes(): PageCheckProblem[] {
    return this.noteList.items;
  }

  get omitted(): number {
    return this.problemList.omitted + this.noteList.omitted;
  }

  private redact(problem: PageCheckProblem): PageCheckProblem {
    const clean: PageCheckProblem = { ...problem, message: this.redactor.text(problem.message) };
    if (problem.url !== undefined) clean.url = this.redactor.text(publicUrl(problem.url));
    return clean;
  }
}
