/** A static single-page tool: a pomodoro timer, checked in the browser with a controlled clock. */
import { ensure } from '../checks/expect.ts';
import type { EvalApp } from './types.ts';

export const pomodoro: EvalApp = {
  id: 'pomodoro',
  name: 'pomodoro timer',
  kind: 'single-page tool',
  description: `A pomodoro timer web page, served by a small Node.js server on the port in the PORT environment variable (default 3000).

- The page at / shows the time left as MM:SS in an element with role="timer", starting at 25:00.
- A "Start" button starts the countdown (one second per second); while it runs the button reads "Pause" and pauses it.
- A "Reset" button stops the timer and shows 25:00 again.
- When the timer reaches 00:00 the page shows "Time for a break!".

The README says how to install and start it.`,
  checks: [
    {
      name: 'starts at 25:00 and counts down',
      kind: 'browser',
      run: async (app) => {
        const page = await app.page();
        await page.clock.install();
        await page.goto(app.url);
        const timer = page.getByRole('timer');
        ensure(
          ((await timer.textContent()) ?? '').trim() === '25:00',
          `the timer shows "${await timer.textContent()}" before it starts`,
        );
        await page.getByRole('button', { name: 'Start' }).click();
        await page.clock.runFor(3_000);
        ensure(
          ((await timer.textContent()) ?? '').trim() === '24:57',
          `three seconds after Start the timer shows "${await timer.textContent()}", not 24:57`,
        );
        await page.getByRole('button', { name: 'Pause' }).click();
        await page.clock.runFor(5_000);
        ensure(((await timer.textContent()) ?? '').trim() === '24:57', 'the timer went on while paused');
      },
    },
    {
      name: 'Reset and the end of a pomodoro',
      kind: 'browser',
      run: async (app) => {
        const page = await app.page();
        await page.clock.install();
        await page.goto(app.url);
        await page.getByRole('button', { name: 'Start' }).click();
        await page.clock.runFor(10_000);
        await page.getByRole('button', { name: 'Reset' }).click();
        ensure(
          ((await page.getByRole('timer').textContent()) ?? '').trim() === '25:00',
          'Reset does not show 25:00 again',
        );
        await page.getByRole('button', { name: 'Start' }).click();
        await page.clock.runFor(25 * 60_000 + 1_000);
        await page.getByText('Time for a break!').waitFor();
      },
    },
  ],
};
