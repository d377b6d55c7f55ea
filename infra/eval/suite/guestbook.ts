/** A server-rendered web app: a guestbook with an HTML form and no JavaScript needed. */
import { ensure, expectStatus, uniqueText } from '../checks/expect.ts';
import type { EvalApp } from './types.ts';

export const guestbook: EvalApp = {
  id: 'guestbook',
  name: 'guestbook',
  kind: 'server-rendered web app',
  description: `A guestbook in Node.js, rendered on the server (it works without JavaScript), on the port in the PORT environment variable (default 3000), entries kept in memory.

- GET / shows a form (method POST, action /entries) with fields labelled "Name" and "Message" and a "Sign" button, and the entries below it, newest first, each with its name and message.
- POST /entries (form-encoded name and message) adds an entry and redirects (303) to /; an empty name or message answers 400 with a page that says what is missing.
- Names and messages are shown as text: HTML in them is escaped, never run.

The README says how to install and start it.`,
  checks: [
    {
      name: 'signing redirects to the page, which shows the entry first',
      kind: 'http',
      run: async (app) => {
        const first = uniqueText('first');
        const second = uniqueText('second');
        for (const message of [first, second]) {
          const signed = await app.http('/entries', { form: { name: 'Ada', message } });
          expectStatus('POST /entries', signed, 303);
          ensure(
            signed.headers.get('location') === '/',
            `POST /entries redirects to ${signed.headers.get('location')}, not /`,
          );
        }
        const page = await app.http('/');
        expectStatus('GET /', page, 200);
        const at = (text: string) => page.text.indexOf(text);
        ensure(at(second) >= 0 && at(first) >= 0, 'GET / does not show the new entries');
        ensure(at(second) < at(first), 'GET / does not show the newest entry first');
      },
    },
    {
      name: 'escapes HTML and refuses empty fields',
      kind: 'http',
      run: async (app) => {
        await app.http('/entries', { form: { name: 'Mallory', message: '<b id="pwn">hi</b>' } });
        const page = await app.http('/');
        ensure(!page.text.includes('<b id="pwn">'), 'a message with HTML is rendered as HTML, not as text');
        ensure(page.text.includes('&lt;b'), 'the escaped message is not on the page');
        expectStatus(
          'POST /entries with no message',
          await app.http('/entries', { form: { name: 'Ada', message: '' } }),
          400,
        );
      },
    },
    {
      name: 'the form signs the guestbook in a browser',
      kind: 'browser',
      run: async (app) => {
        const page = await app.page();
        await page.goto(app.url);
        const message = uniqueText('lovely site');
        await page.getByLabel('Name').fill('Grace');
        await page.getByLabel('Message').fill(message);
        await page.getByRole('button', { name: 'Sign' }).click();
        await page.waitForURL(`${app.url}/`);
        await page.getByText(message).waitFor();
      },
    },
  ],
};
