/** An API with redirects: short links with click counts. */
import { ensure, expectStatus, objectBody } from '../checks/expect.ts';
import type { EvalApp } from './types.ts';

export const urlShortener: EvalApp = {
  id: 'url-shortener',
  name: 'url shortener',
  kind: 'API with redirects',
  description: `A URL shortener in Node.js on the port in the PORT environment variable (default 3000), links kept in memory.

- POST /api/links with { "url" } answers 201 with { "code", "url" }: code is 4 to 10 letters and digits. A url that is not http(s) answers 400 with { "error": "..." }.
- GET /:code redirects (302) to the url and counts a click; an unknown code answers 404.
- GET /api/links/:code answers { "code", "url", "clicks" }.
- The page at / has a field labelled "URL" and a "Shorten" button, and shows the short link it made.

The README says how to install and start it.`,
  checks: [
    {
      name: 'shortens a url and redirects to it',
      kind: 'http',
      run: async (app) => {
        const created = await app.http('/api/links', {
          json: { url: 'https://example.com/a/long/path?q=1' },
        });
        expectStatus('POST /api/links', created, 201);
        const code = String(objectBody('POST /api/links', created).code);
        ensure(/^[A-Za-z0-9]{4,10}$/.test(code), `the code "${code}" is not 4 to 10 letters and digits`);
        const redirect = await app.http(`/${code}`);
        expectStatus(`GET /${code}`, redirect, 302);
        ensure(
          redirect.headers.get('location') === 'https://example.com/a/long/path?q=1',
          `GET /${code} redirects to ${redirect.headers.get('location')}`,
        );
      },
    },
    {
      name: 'counts clicks',
      kind: 'http',
      run: async (app) => {
        const code = String(
          objectBody(
            'POST /api/links',
            await app.http('/api/links', { json: { url: 'https://example.com/x' } }),
          ).code,
        );
        await app.http(`/${code}`);
        await app.http(`/${code}`);
        const stats = objectBody('GET /api/links/:code', await app.http(`/api/links/${code}`));
        ensure(stats.clicks === 2, `GET /api/links/${code} says ${String(stats.clicks)} clicks after 2`);
      },
    },
    {
      name: 'refuses a bad url and an unknown code',
      kind: 'http',
      run: async (app) => {
        expectStatus(
          'POST /api/links with "ftp://x"',
          await app.http('/api/links', { json: { url: 'ftp://x' } }),
          400,
        );
        expectStatus('GET /zzzz9999', await app.http('/zzzz9999'), 404);
      },
    },
    {
      name: 'the page shortens a url',
      kind: 'browser',
      run: async (app) => {
        const page = await app.page();
        await page.goto(app.url);
        await page.getByLabel('URL').fill('https://example.com/from-the-page');
        await page.getByRole('button', { name: 'Shorten' }).click();
        await page
          .getByText(/\/[A-Za-z0-9]{4,10}\b/)
          .first()
          .waitFor();
      },
    },
  ],
};
