/** A CRUD web app with state: a kanban board of cards in three columns. */
import { arrayBody, ensure, expectStatus, findBy, objectBody, uniqueText } from '../checks/expect.ts';
import type { EvalApp } from './types.ts';

export const kanban: EvalApp = {
  id: 'kanban',
  name: 'kanban board',
  kind: 'CRUD web app',
  description: `A kanban board in Node.js on the port in the PORT environment variable (default 3000), cards kept in memory.

- A card is { "id", "title", "column" } with column one of "todo", "doing", "done".
- GET /api/cards lists the cards; POST /api/cards with { "title" } creates one in "todo" (201); PATCH /api/cards/:id with { "column" } moves it (200), an unknown column answers 400; DELETE /api/cards/:id answers 204.
- The page at / shows three columns headed "To do", "Doing" and "Done", each a list of its cards, and a field labelled "New card" with an "Add card" button that adds a card to "To do".

The README says how to install and start it.`,
  checks: [
    {
      name: 'a new card starts in todo and moves',
      kind: 'http',
      run: async (app) => {
        const created = await app.http('/api/cards', { json: { title: uniqueText('write spec') } });
        expectStatus('POST /api/cards', created, 201);
        const card = objectBody('POST /api/cards', created);
        ensure(card.column === 'todo', `a new card is in ${JSON.stringify(card.column)}, not "todo"`);
        const moved = await app.http(`/api/cards/${String(card.id)}`, {
          method: 'PATCH',
          json: { column: 'doing' },
        });
        expectStatus('PATCH /api/cards/:id', moved, 200);
        const listed = findBy(arrayBody('GET /api/cards', await app.http('/api/cards')), 'id', card.id);
        ensure(listed?.column === 'doing', 'GET /api/cards does not show the card in "doing" after the move');
      },
    },
    {
      name: 'refuses an unknown column, deletes a card',
      kind: 'http',
      run: async (app) => {
        const card = objectBody(
          'POST /api/cards',
          await app.http('/api/cards', { json: { title: uniqueText('x') } }),
        );
        expectStatus(
          'PATCH to column "later"',
          await app.http(`/api/cards/${String(card.id)}`, { method: 'PATCH', json: { column: 'later' } }),
          400,
        );
        expectStatus(
          'DELETE /api/cards/:id',
          await app.http(`/api/cards/${String(card.id)}`, { method: 'DELETE' }),
          204,
        );
        ensure(
          !findBy(arrayBody('GET /api/cards', await app.http('/api/cards')), 'id', card.id),
          'a deleted card is still listed',
        );
      },
    },
    {
      name: 'the page adds a card under "To do"',
      kind: 'browser',
      run: async (app) => {
        const page = await app.page();
        await page.goto(app.url);
        for (const heading of ['To do', 'Doing', 'Done'])
          await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        const title = uniqueText('review plan');
        await page.getByLabel('New card').fill(title);
        await page.getByRole('button', { name: 'Add card' }).click();
        await page.getByText(title).waitFor();
        const card = findBy(arrayBody('GET /api/cards', await app.http('/api/cards')), 'title', title);
        ensure(card?.column === 'todo', 'the card added on the page is not in "todo" in GET /api/cards');
      },
    },
  ],
};
