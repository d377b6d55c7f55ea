/**
 * The user's notes: what the user said during the run (their chat messages, and their own words in
 * answer to an agent's question, such as a hint for the BugHunter) kept in the pipeline's state and
 * shown to every later agent call, so a word of steering is not lost once one step has read it.
 * Bounded: the newest {@link MAX_NOTES}, each cut to {@link MAX_NOTE_CHARS}.
 */
import { z } from 'zod';
import type { QuestionSpec, UserMessage } from '../pipeline.ts';

/** Notes kept (the newest). */
export const MAX_NOTES = 12;
/** Longest note kept; beyond it the text is cut with a mark. */
export const MAX_NOTE_CHARS = 1_000;
/** Longest part of a question shown beside the answer it got. */
const MAX_QUESTION_CHARS = 160;

export const UserNote = z.object({
  /** The message's id, or the step and question an answer belongs to (a note is kept once). */
  id: z.string(),
  /** A chat message's kind, or `answer`: the user's own words in answer to a question. */
  kind: z.enum(['message', 'change', 'bug', 'answer']),
  text: z.string(),
  /** The question an answer was given to (cut). */
  question: z.string().optional(),
});
export type UserNote = z.infer<typeof UserNote>;

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)} […]` : text);

/** Chat messages as notes. */
export function messageNotes(messages: readonly UserMessage[]): UserNote[] {
  return messages.map((m) => ({ id: m.id, kind: m.kind, text: cut(m.text, MAX_NOTE_CHARS) }));
}

/**
 * An answer as a note, when it is the user's own words: an answer that is one of the offered options
 * (an approval, "Skip", a choice the specification records) or the default is not a note.
 */
export function answerNote(id: string, question: QuestionSpec, answer: string): UserNote | null {
  const text = answer.trim();
  const offered = [...(question.options ?? []), ...(question.default === null ? [] : [question.default])];
  if (!text || offered.some((o) => o.trim() === text)) return null;
  return {
    id,
    kind: 'answer',
    text: cut(text, MAX_NOTE_CHARS),
    question: cut(question.text.split('\n')[0]!, MAX_QUESTION_CHARS),
  };
}

/** `notes` with `added` in front (newest first), each note once, at most {@link MAX_NOTES}. */
export function withNotes(notes: readonly UserNote[] | undefined, added: readonly UserNote[]): UserNote[] {
  const all = [...[...added].reverse(), ...(notes ?? [])];
  const seen = new Set<string>();
  return all.filter((n) => !seen.has(n.id) && seen.add(n.id)).slice(0, MAX_NOTES);
}

/** The notes as a prompt section (empty when there are none). */
export function notesSection(notes: readonly UserNote[] | undefined): string {
  if (!notes?.length) return '';
  const lines = notes.map((n) =>
    n.kind === 'answer'
      ? `- (answer to "${n.question ?? ''}") ${n.text}`
      : `- (${n.kind === 'message' ? 'message' : n.kind === 'bug' ? 'bug report' : 'change request'}) ${n.text}`,
  );
  return `What the user told you during this run (newest first; it still applies unless a newer note says otherwise):\n${lines.join('\n')}`;
}
