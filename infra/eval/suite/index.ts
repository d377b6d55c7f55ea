/** The eval's suite: apps of the kinds users ask for, each with its checks. */
import { bookmarks } from './bookmarks.ts';
import { expenses } from './expenses.ts';
import { guestbook } from './guestbook.ts';
import { inventory } from './inventory.ts';
import { kanban } from './kanban.ts';
import { notes } from './notes.ts';
import { pomodoro } from './pomodoro.ts';
import { quiz } from './quiz.ts';
import { salesDashboard } from './sales-dashboard.ts';
import { ticTacToe } from './tic-tac-toe.ts';
import { todos } from './todos.ts';
import type { EvalApp } from './types.ts';
import { urlShortener } from './url-shortener.ts';

/** The suite a real model runs by default. */
export const SUITE: readonly EvalApp[] = [
  notes,
  kanban,
  expenses,
  guestbook,
  bookmarks,
  inventory,
  urlShortener,
  salesDashboard,
  ticTacToe,
  quiz,
  pomodoro,
];

/** The demo's app: what the LLM fixture's scripted session builds (`--fixture`). */
export const FIXTURE_APP: EvalApp = todos;

/** Every app by id (the demo's included, so a real model can be tried on it too). */
export function findApp(id: string): EvalApp | undefined {
  return [...SUITE, FIXTURE_APP].find((app) => app.id === id);
}
