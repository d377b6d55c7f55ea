/**
 * What the project's object answers when it cannot do what was asked: one shape for the files, the run's
 * controls and the preview, so the API maps every refusal to its HTTP error in one place
 * (`api/refusal.ts`) and the live channel sends the same code in its error frame.
 */

/** Why something was refused. */
export type RefusalCode =
  /** No such thing (a file, a version, a step, a question). */
  | 'not_found'
  /** The project is not in a state that allows it (the run is complete, the file changed meanwhile). */
  | 'conflict'
  /** The request itself is wrong; `field` names the input at fault when there is one. */
  | 'bad_request'
  /** Something the project needs (its sandbox) cannot be reached now: try again later. */
  | 'unavailable';

export interface Refusal {
  ok: false;
  code: RefusalCode;
  message: string;
  /** The input at fault, for `bad_request` (`path`, `stepId`...). */
  field?: string;
}

/** A value, or why there is none. */
export type Outcome<T> = { ok: true; value: T } | Refusal;

export function refusal(code: RefusalCode, message: string, field?: string): Refusal {
  return field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };
}
