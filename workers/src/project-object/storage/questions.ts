/** Questions the steps asked, and their answers (by the user, or autopilot's default). */
import type { QuestionRecord } from '../../core/journal.ts';
import type { ChangeProposal } from '../../protocol.ts';
import type { Clock } from '../../core/ports.ts';
import type { Sql } from './sql.ts';

export class QuestionStore {
  private readonly sql: Sql;
  private readonly clock: Clock;

  constructor(sql: Sql, clock: Clock) {
    this.sql = sql;
    this.clock = clock;
  }

  get(id: string): QuestionRecord | null {
    const row = this.sql.one<{
      id: string;
      step_id: number;
      text: string;
      options: string | null;
      default_answer: string | null;
      answer: string | null;
      answered_by: string | null;
      review: string | null;
    }>(
      'SELECT id, step_id, text, options, default_answer, answer, answered_by, review FROM questions WHERE id = ?',
      id,
    );
    if (!row) return null;
    return {
      id: row.id,
      stepId: row.step_id,
      text: row.text,
      options: row.options ? (JSON.parse(row.options) as string[]) : null,
      default: row.default_answer,
      answer: row.answer,
      by: row.answered_by === 'user' || row.answered_by === 'autopilot' ? row.answered_by : null,
      review: row.review ? (JSON.parse(row.review) as ChangeProposal) : null,
    };
  }

  /** The first unanswered question of a step. */
  openOf(stepId: number): QuestionRecord | null {
    const row = this.sql.one<{ id: string }>(
      'SELECT id FROM questions WHERE step_id = ? AND answer IS NULL ORDER BY created_at, id LIMIT 1',
      stepId,
    );
    return row ? this.get(row.id) : null;
  }

  put(q: QuestionRecord): void {
    this.sql.run(
      `INSERT INTO questions (id, step_id, text, options, default_answer, review, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      q.id,
      q.stepId,
      q.text,
      q.options ? JSON.stringify(q.options) : null,
      q.default,
      q.review ? JSON.stringify(q.review) : null,
      this.clock.now(),
    );
  }

  answer(id: string, answer: string, by: 'user' | 'autopilot'): void {
    this.sql.run(
      'UPDATE questions SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ? AND answer IS NULL',
      answer,
      by,
      this.clock.now(),
      id,
    );
  }
}
