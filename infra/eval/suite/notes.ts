/** A CRUD web app: notes with a title and a body, an API and a page. */
import { arrayBody, ensure, expectStatus, findBy, objectBody, uniqueText } from '../checks/expect.ts';
import type { EvalApp } from './types.ts';

export const notes: EvalApp = {
  id: 'notes',
  name: 'notes',
  kind: 'CRUD web app',
  description: `A notes app in Node.js. The server listens on the port in the PORT environment variable (default 3000) and keeps notes in memory.

JSON API:
- GET /api/notes lists the notes, newest first: [{ "id", "title", "body", "updatedAt" }].
- POST /api/notes with { "title", "body" } creates a note and answers 201 with it; an empty title answers 400 with { "error": "..." }.
- GET /api/notes/:id answers the note or 404.
- PUT /api/notes/:id with { "title", "body" } changes it (200 with the note, 404 if there is none).
- DELETE /api/notes/:id answers 204, or 404.

The page at / shows the notes and has a form with a text field labelled "Title", a textarea labelled "Body" and a "Save" button; a saved note shows in the list at once, and each note has a "Delete" button.

The README says how to install and start it.`,
  checks: [
    {
      name: 'creates, reads, updates and deletes a note',
      kind: 'http',
      run: async (app) => {
        const title = uniqueText('groceries');
        const created = await app.http('/api/notes', { json: { title, body: 'eggs' } });
        expectStatus('POST /api/notes', created, 201);
        const note = objectBody('POST /api/notes', created);
        ensure(
          note.title === title && note.body === 'eggs',
          'POST /api/notes did not answer the note it created',
        );
        const id = String(note.id);
        const updated = await app.http(`/api/notes/${id}`, {
          method: 'PUT',
          json: { title, body: 'eggs, milk' },
        });
        expectStatus('PUT /api/notes/:id', updated, 200);
        const read = objectBody('GET /api/notes/:id', await app.http(`/api/notes/${id}`));
        ensure(
          read.body === 'eggs, milk',
          `GET /api/notes/:id after PUT answered body ${JSON.stringify(read.body)}`,
        );
        expectStatus('DELETE /api/notes/:id', await app.http(`/api/notes/${id}`, { method: 'DELETE' }), 204);
        expectStatus('GET of a deleted note', await app.http(`/api/notes/${id}`), 404);
      },
    },
    {
      name: 'lists the newest note first',
      kind: 'http',
      run: async (app) => {
        await app.http('/api/notes', { json: { title: uniqueText('older'), body: '' } });
        const newer = objectBody(
          'POST /api/notes',
          await app.http('/api/notes', { json: { title: uniqueText('newer'), body: '' } }),
        );
        const list = arrayBody('GET /api/notes', await app.http('/api/notes'));
        ensure(
          findBy(list, 'id', newer.id) === list[0],
          'GET /api/notes does not list the newest note first',
        );
      },
    },
    {
      name: 'refuses a note without a title, and an unknown note',
      kind: 'http',
      run: async (app) => {
        expectStatus(
          'POST /api/notes without a title',
          await app.http('/api/notes', { json: { title: '', body: 'x' } }),
          400,
        );
        expectStatus('GET /api/notes/999999', await app.http('/api/notes/999999'), 404);
      },
    },
    {
      name: 'the page saves a note that shows in the list',
      kind: 'browser',
      run: async (app) => {
        const page = await app.page();
        await page.goto(app.url);
        const title = uniqueText('call mom');
        await page.getByLabel('Title').fill(title);
        await page.getByLabel('Body').fill('on Sunday');
        await page.getByRole('button', { name: 'Save' }).click();
        await page.getByText(title).waitFor();
      },
    },
  ],
};
