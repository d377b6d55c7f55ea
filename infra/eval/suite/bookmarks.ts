/** An API with persistence: bookmarks with tags, kept in a JSON file that survives a restart. */
import { arrayBody, ensure, expectStatus, findBy, objectBody, uniqueText } from '../checks/expect.ts';
import type { EvalApp } from './types.ts';

export const bookmarks: EvalApp = {
  id: 'bookmarks',
  name: 'bookmarks',
  kind: 'API with persistence',
  description: `A bookmarks API in Node.js, no web page needed. It listens on the port in the PORT environment variable (default 3000) and stores its data in data/bookmarks.json (created when missing), so bookmarks survive a restart.

- POST /api/bookmarks with { "url", "title", "tags": ["..."] } answers 201 with the bookmark and its "id"; a url that is not http(s) answers 400 with { "error": "..." }.
- GET /api/bookmarks lists them all; GET /api/bookmarks?tag=x only those tagged x.
- DELETE /api/bookmarks/:id answers 204, or 404 when there is no such bookmark.

The README says how to install and start it.`,
  checks: [
    {
      name: 'creates a bookmark and lists it',
      kind: 'http',
      run: async (app) => {
        const title = uniqueText('docs');
        const created = await app.http('/api/bookmarks', {
          json: { url: 'https://example.com/docs', title, tags: ['read'] },
        });
        expectStatus('POST /api/bookmarks', created, 201);
        const mark = objectBody('POST /api/bookmarks', created);
        ensure(mark.id !== undefined, 'POST /api/bookmarks answered no id');
        const list = arrayBody('GET /api/bookmarks', await app.http('/api/bookmarks'));
        ensure(findBy(list, 'title', title), 'GET /api/bookmarks does not list the new bookmark');
      },
    },
    {
      name: 'filters by tag',
      kind: 'http',
      run: async (app) => {
        const tag = uniqueText('tag').replace(' ', '-');
        await app.http('/api/bookmarks', {
          json: { url: 'https://example.com/a', title: 'tagged', tags: [tag] },
        });
        await app.http('/api/bookmarks', {
          json: { url: 'https://example.com/b', title: 'untagged', tags: [] },
        });
        const list = arrayBody(
          'GET /api/bookmarks?tag=',
          await app.http(`/api/bookmarks?tag=${encodeURIComponent(tag)}`),
        );
        ensure(
          list.length === 1 && findBy(list, 'title', 'tagged'),
          `GET /api/bookmarks?tag=${tag} answered ${list.length} bookmarks, expected the 1 tagged one`,
        );
      },
    },
    {
      name: 'refuses a url that is not http(s), and deletes',
      kind: 'http',
      run: async (app) => {
        expectStatus(
          'POST /api/bookmarks with url "javascript:alert(1)"',
          await app.http('/api/bookmarks', { json: { url: 'javascript:alert(1)', title: 'x', tags: [] } }),
          400,
        );
        const mark = objectBody(
          'POST /api/bookmarks',
          await app.http('/api/bookmarks', {
            json: { url: 'https://example.com/c', title: 'gone', tags: [] },
          }),
        );
        expectStatus(
          'DELETE /api/bookmarks/:id',
          await app.http(`/api/bookmarks/${String(mark.id)}`, { method: 'DELETE' }),
          204,
        );
        expectStatus(
          'DELETE of a deleted bookmark',
          await app.http(`/api/bookmarks/${String(mark.id)}`, { method: 'DELETE' }),
          404,
        );
      },
    },
    {
      name: 'keeps bookmarks across a restart',
      kind: 'http',
      run: async (app) => {
        const title = uniqueText('kept');
        expectStatus(
          'POST /api/bookmarks',
          await app.http('/api/bookmarks', { json: { url: 'https://example.com/kept', title, tags: [] } }),
          201,
        );
        await app.restart();
        const list = arrayBody('GET /api/bookmarks after a restart', await app.http('/api/bookmarks'));
        ensure(findBy(list, 'title', title), 'a bookmark created before a restart is gone after it');
      },
    },
  ],
};
