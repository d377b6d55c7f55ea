import { describe, expect, it } from 'vitest';
import {
  answerNote,
  MAX_NOTE_CHARS,
  MAX_NOTES,
  messageNotes,
  notesSection,
  withNotes,
} from './user-notes.ts';

const message = (i: number) => ({ id: `msg_${i}`, text: `message ${i}`, kind: 'message' as const, at: i });

describe("the user's notes", () => {
  it('keeps the newest notes first, each once, up to the cap', () => {
    let notes = withNotes(undefined, messageNotes([message(1), message(2)]));
    expect(notes.map((n) => n.id)).toEqual(['msg_2', 'msg_1']);
    // The same message heard again (a step run again) is not kept twice.
    notes = withNotes(notes, messageNotes([message(2), message(3)]));
    expect(notes.map((n) => n.id)).toEqual(['msg_3', 'msg_2', 'msg_1']);
    const many = Array.from({ length: MAX_NOTES + 5 }, (_, i) => message(i + 10));
    notes = withNotes(notes, messageNotes(many));
    expect(notes).toHaveLength(MAX_NOTES);
    expect(notes[0]!.id).toBe(`msg_${MAX_NOTES + 14}`);
  });

  it('cuts a long message', () => {
    const [note] = messageNotes([{ ...message(1), text: 'x'.repeat(MAX_NOTE_CHARS + 50) }]);
    expect(note!.text).toBe(`${'x'.repeat(MAX_NOTE_CHARS)} […]`);
  });

  it("keeps an answer only when it is the user's own words, not an offered option or the default", () => {
    const question = { text: 'Still fails.\nGive a hint, or "Skip".', options: ['Skip'], default: 'Skip' };
    expect(answerNote('s1:q1', question, ' Skip ')).toBeNull();
    expect(answerNote('s1:q1', { text: 'Approve?', default: 'Approve' }, 'Approve')).toBeNull();
    expect(answerNote('s1:q1', question, 'Do not install anything.')).toEqual({
      id: 's1:q1',
      kind: 'answer',
      text: 'Do not install anything.',
      question: 'Still fails.',
    });
  });

  it('shows nothing without notes, and each note with what it is', () => {
    expect(notesSection(undefined)).toBe('');
    expect(notesSection([])).toBe('');
    const section = notesSection([
      { id: 'a', kind: 'answer', text: 'skip installing', question: 'Still fails.' },
      { id: 'b', kind: 'bug', text: 'the button does nothing' },
    ]);
    expect(section).toContain('- (answer to "Still fails.") skip installing');
    expect(section).toContain('- (bug report) the button does nothing');
  });
});
