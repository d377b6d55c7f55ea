import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { LazyBrowser } from './checks/browser.ts';
import { runChecks } from './checks/run-checks.ts';
import { guestbook } from './suite/guestbook.ts';
import { FIXTURE_APP, SUITE } from './suite/index.ts';
import { ticTacToe } from './suite/tic-tac-toe.ts';
import { urlShortener } from './suite/url-shortener.ts';
import type { EvalApp } from './suite/types.ts';
import { guestbookServer } from './test/reference/guestbook.ts';
import { ticTacToeServer } from './test/reference/tic-tac-toe.ts';
import { urlShortenerServer } from './test/reference/url-shortener.ts';

const browser = new LazyBrowser();
const servers: Server[] = [];
afterAll(async () => {
  await browser.close();
  for (const server of servers) server.close();
});

async function serve(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function check(app: EvalApp, origin: string) {
  return runChecks({
    origin,
    checks: app.checks,
    browser,
    restart: () => Promise.reject(new Error('no restart here')),
    pageTimeoutMs: 3_000,
  });
}

describe("the suite's checks", () => {
  it('fail against a server that does not implement the app, each saying what was wrong', async () => {
    const origin = await serve(
      createServer((req, res) => {
        if (req.url === '/')
          return void res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Hello</h1>');
        res.writeHead(404).end('Not found');
      }),
    );
    const results = await check(FIXTURE_APP, origin);
    expect(results.map((r) => [r.name, r.ok, r.message])).toEqual([
      ['creates a todo and lists it', false, 'POST /api/todos answered 404, expected 201: Not found'],
      ['checks off and deletes a todo', false, 'POST /api/todos did not answer JSON: Not found'],
      [
        'refuses an empty title',
        false,
        'POST /api/todos with an empty title answered 404, expected 400: Not found',
      ],
      [
        'the page adds a todo that shows in the list',
        false,
        expect.stringMatching(/Timeout 3000ms exceeded.*getByPlaceholder\('What needs doing\?'\)/),
      ],
    ]);
  }, 60_000);

  it('fail when nothing answers at all', async () => {
    const origin = await serve(createServer());
    servers.at(-1)!.close();
    const [first] = await check(FIXTURE_APP, origin);
    expect(first!.ok).toBe(false);
    expect(first!.message).toMatch(/^POST \/api\/todos got no answer: /);
  }, 60_000);

  it.each([
    [guestbook.id, guestbook, guestbookServer],
    [urlShortener.id, urlShortener, urlShortenerServer],
    [ticTacToe.id, ticTacToe, ticTacToeServer],
  ] as const)(
    'pass against a reference app that meets the contract: %s',
    async (_id, app, server) => {
      const results = await check(app, await serve(server()));
      expect(results.filter((r) => !r.ok)).toEqual([]);
      expect(results).toHaveLength(app.checks.length);
    },
    90_000,
  );

  it('are at least ten apps of the kinds users ask for, with unique ids, each stating PORT', () => {
    expect(SUITE.length).toBeGreaterThanOrEqual(10);
    expect(new Set(SUITE.map((a) => a.id)).size).toBe(SUITE.length);
    expect(new Set(SUITE.map((a) => a.kind))).toEqual(
      new Set([
        'CRUD web app',
        'server-rendered web app',
        'API with persistence',
        'API with redirects',
        'dashboard',
        'game',
        'single-page tool',
      ]),
    );
    for (const app of SUITE) {
      expect(app.description, app.id).toContain('PORT');
      expect(app.checks.some((c) => c.kind === 'browser') || app.kind.startsWith('API'), app.id).toBe(true);
    }
  });
});
