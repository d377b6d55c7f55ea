/** A game in the browser: tic-tac-toe for two players at one screen. */
import type { Page } from 'playwright-core';
import { ensure } from '../checks/expect.ts';
import type { EvalApp } from './types.ts';

const cell = (page: Page, n: number) => page.getByRole('button', { name: `cell ${n}`, exact: true });

async function status(page: Page): Promise<string> {
  return ((await page.getByRole('status').textContent()) ?? '').trim();
}

export const ticTacToe: EvalApp = {
  id: 'tic-tac-toe',
  name: 'tic-tac-toe',
  kind: 'game',
  description: `A tic-tac-toe game for two players on one screen, served by a small Node.js server on the port in the PORT environment variable (default 3000); the game itself runs in the page at /.

- The board is 9 buttons with the accessible names "cell 1" to "cell 9" (row by row, left to right); a played cell shows X or O.
- X plays first, then turns alternate; clicking a taken cell does nothing.
- An element with role="status" says "Next player: X" (or O), and "Winner: X" (or O) when a row, column or diagonal is complete, or "Draw" when the board is full; after a win no more moves are taken.
- A "Restart" button clears the board and X starts again.

The README says how to install and start it.`,
  checks: [
    {
      name: 'X starts and turns alternate',
      kind: 'browser',
      run: async (app) => {
        const page = await app.page();
        await page.goto(app.url);
        ensure(
          (await status(page)) === 'Next player: X',
          `the status says "${await status(page)}" at the start, not "Next player: X"`,
        );
        await cell(page, 5).click();
        ensure(
          (await cell(page, 5).textContent())?.trim() === 'X',
          'cell 5 does not show X after the first move',
        );
        ensure(
          (await status(page)) === 'Next player: O',
          `the status says "${await status(page)}" after X played`,
        );
        await cell(page, 5).click();
        ensure((await status(page)) === 'Next player: O', 'clicking a taken cell changed the turn');
      },
    },
    {
      name: 'a complete row wins and ends the game',
      kind: 'browser',
      run: async (app) => {
        const page = await app.page();
        await page.goto(app.url);
        for (const n of [1, 4, 2, 5, 3]) await cell(page, n).click();
        ensure(
          (await status(page)) === 'Winner: X',
          `the status says "${await status(page)}" after X filled the top row`,
        );
        await cell(page, 9).click();
        ensure(
          ((await cell(page, 9).textContent()) ?? '').trim() === '',
          'a move was taken after the game was won',
        );
      },
    },
    {
      name: 'Restart clears the board',
      kind: 'browser',
      run: async (app) => {
        const page = await app.page();
        await page.goto(app.url);
        await cell(page, 1).click();
        await page.getByRole('button', { name: 'Restart' }).click();
        ensure(
          ((await cell(page, 1).textContent()) ?? '').trim() === '',
          'cell 1 still shows a mark after Restart',
        );
        ensure((await status(page)) === 'Next player: X', 'X does not start again after Restart');
      },
    },
  ],
};
