/** A CRUD web app with a summary: expenses by category. */
import { arrayBody, ensure, expectStatus, findBy, objectBody } from '../checks/expect.ts';
import type { EvalApp } from './types.ts';

export const expenses: EvalApp = {
  id: 'expenses',
  name: 'expense tracker',
  kind: 'CRUD web app',
  description: `A personal expense tracker in Node.js on the port in the PORT environment variable (default 3000), expenses kept in memory.

- POST /api/expenses with { "amount": 12.5, "category": "Food", "date": "2026-01-31" } answers 201 with the expense and its "id". An amount that is not a number above 0, an empty category or a date that is not YYYY-MM-DD answers 400 with { "error": "..." }.
- GET /api/expenses lists them, newest date first; DELETE /api/expenses/:id answers 204.
- GET /api/summary answers { "total": 12.5, "byCategory": { "Food": 12.5 } }.
- The page at / has fields labelled "Amount", "Category" and "Date" and an "Add expense" button, lists the expenses, and shows the total as "Total: 12.50" (two decimals).

The README says how to install and start it.`,
  checks: [
    {
      name: 'adds expenses and sums them by category',
      kind: 'http',
      run: async (app) => {
        const before = objectBody('GET /api/summary', await app.http('/api/summary'));
        const beforeTotal = Number(before.total ?? 0);
        const beforeTravel = Number(((before.byCategory ?? {}) as Record<string, unknown>).Travel ?? 0);
        for (const amount of [10.25, 4.75]) {
          const added = await app.http('/api/expenses', {
            json: { amount, category: 'Travel', date: '2026-03-01' },
          });
          expectStatus('POST /api/expenses', added, 201);
        }
        const after = objectBody('GET /api/summary', await app.http('/api/summary'));
        ensure(
          Math.abs(Number(after.total) - beforeTotal - 15) < 0.001,
          `summary.total went from ${beforeTotal} to ${String(after.total)} after adding 15`,
        );
        const travel = Number(((after.byCategory ?? {}) as Record<string, unknown>).Travel);
        ensure(
          Math.abs(travel - beforeTravel - 15) < 0.001,
          `summary.byCategory.Travel is ${travel}, expected ${beforeTravel + 15}`,
        );
      },
    },
    {
      name: 'refuses bad expenses',
      kind: 'http',
      run: async (app) => {
        for (const bad of [
          { amount: -3, category: 'Food', date: '2026-01-01' },
          { amount: 'ten', category: 'Food', date: '2026-01-01' },
          { amount: 3, category: '', date: '2026-01-01' },
          { amount: 3, category: 'Food', date: '01/02/2026' },
        ]) {
          expectStatus(
            `POST /api/expenses ${JSON.stringify(bad)}`,
            await app.http('/api/expenses', { json: bad }),
            400,
          );
        }
      },
    },
    {
      name: 'lists the newest date first and deletes',
      kind: 'http',
      run: async (app) => {
        const late = objectBody(
          'POST /api/expenses',
          await app.http('/api/expenses', { json: { amount: 1, category: 'Misc', date: '2099-12-31' } }),
        );
        const list = arrayBody('GET /api/expenses', await app.http('/api/expenses'));
        ensure(
          findBy(list, 'id', late.id) === list[0],
          'GET /api/expenses does not list the newest date first',
        );
        expectStatus(
          'DELETE /api/expenses/:id',
          await app.http(`/api/expenses/${String(late.id)}`, { method: 'DELETE' }),
          204,
        );
      },
    },
    {
      name: 'the page adds an expense and shows the total',
      kind: 'browser',
      run: async (app) => {
        const page = await app.page();
        await page.goto(app.url);
        const total = Number(objectBody('GET /api/summary', await app.http('/api/summary')).total ?? 0);
        await page.getByLabel('Amount').fill('2.5');
        await page.getByLabel('Category').fill('Books');
        await page.getByLabel('Date').fill('2026-02-02');
        await page.getByRole('button', { name: 'Add expense' }).click();
        await page.getByText(`Total: ${(total + 2.5).toFixed(2)}`).waitFor();
      },
    },
  ],
};
