/**
 * The page check against real Chromium and small HTTP servers on loopback: what it reports for the pages
 * generated apps get wrong, and how the checker behaves around the browser (launch, relaunch, limits).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageCheckResult } from '../src/contract.ts';
import { PageChecker, summary } from '../src/check/index.ts';
import type { PageCheckerOptions } from '../src/check/index.ts';

/** Debian's Chromium (`apt-get install chromium`), as in the e2e tests. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function html(body: string, title = 'Test app'): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`);
  };
}

function asset(type: string, content: string, status = 200): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': type });
    res.end(content);
  };
}

/** A loopback HTTP server answering by path; it remembers every path it was asked for. */
async function serve(
  routes: Record<string, Handler>,
): Promise<{ server: Server; port: number; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.push(path);
    const handler = routes[path];
    if (handler) return handler(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such page');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** Another origin on loopback: the checked pages point at it, and it must never be reached. */
let outside: Awaited<ReturnType<typeof serve>>;

/** Answers once two requests wait at the same time: only checks that run together both get through. */
let barrierWaiting: ServerResponse[] = [];
const barrier: Handler = (_req, res) => {
  barrierWaiting.push(res);
  if (barrierWaiting.length < 2) return;
  for (const waiting of barrierWaiting) {
    waiting.writeHead(200, { 'content-type': 'application/json' });
    waiting.end('{"ok":true}');
  }
  barrierWaiting = [];
};

let gateCalls = 0;

const ROUTES: Record<string, Handler> = {
  '/good': html(
    '<h1>Shortener</h1><link rel="stylesheet" href="/style.css"><script src="/app.js"></script>',
    'Good app',
  ),
  '/style.css': asset('text/css', 'h1 { color: teal }'),
  '/app.js': asset('text/javascript', 'document.querySelector("h1").dataset.ready = "yes";'),
  '/throws': html('<h1>Links</h1><script src="/broken.js"></script>'),
  '/broken.js': asset(
    'text/javascript',
    'function renderLinks(links) {\n  return links.map((l) => l.url);\n}\nrenderLinks(undefined);\n',
  ),
  '/console': html('<h1>Chart</h1><script>console.error("could not draw the chart: no data")</script>'),
  '/missing-css': html('<h1>Unstyled</h1><link rel="stylesheet" href="/missing.css">'),
  '/api-fails': html(
    '<h1>Items</h1><ul id="list"></ul><script>fetch("/api/items").then((r) => r.status)</script>',
  ),
  '/api/items': asset('application/json', '{"error":"database unavailable"}', 500),
  '/blank': html('<div id="app"></div><script>/* the app never mounts */</script>'),
  '/late': html(
    `<div id="app"></div><script>
      addEventListener('load', () => setTimeout(() => {
        fetch('/api/slow-items').then((r) => r.json()).then((items) => {
          document.getElementById('app').textContent = items.join(', ');
        });
      }, 200));
    </script>`,
  ),
  '/api/slow-items': (_req, res) => {
    setTimeout(() => asset('application/json', '["first link","second link"]')(_req, res), 1000);
  },
  '/never-loads': html('<h1>Loading</h1><script src="/never.js"></script>'),
  '/never.js': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.write('// more is coming, forever\n');
  },
  '/busy': html(
    '<h1>Busy</h1><script>addEventListener("load", () => setTimeout(() => { for (;;) {} }, 50))</script>',
  ),
  '/inline-secret': html(
    `<h1>Secret</h1><script>
      console.error("cookie " + document.cookie + " at " + location.href);
      throw new Error("failed at " + location.href);
    </script>`,
  ),
  '/needs-token': (req, res) => {
    const ok =
      req.headers.cookie?.includes('sk_preview=cookie-token-123') ||
      req.headers['x-preview-token'] === 'header-token-456';
    if (ok) return html('<h1>Private app</h1>')(req, res);
    res.writeHead(401, { 'content-type': 'text/plain' });
    res.end('a preview token is required');
  },
  '/echo-auth': (req, res) =>
    html(
      `<h1>Echo</h1><script>console.error(${JSON.stringify(`sent ${req.headers.authorization} / token ${req.headers.authorization?.split(' ')[1]}`)})</script>`,
    )(req, res),
  '/streams': html('<h1>Live feed</h1><script>fetch("/api/stream")</script>'),
  '/api/stream': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: hello\n\n');
  },
  '/noisy': html(
    `<h1>Noisy</h1><script>
      for (let i = 0; i < 300; i++) console.error("distinct error " + i + " " + "x".repeat(5000));
      for (let i = 0; i < 50; i++) console.error("the same error");
    </script>`,
  ),
  '/web-component': html(
    `<my-app></my-app><script>
      customElements.define('my-app', class extends HTMLElement {
        connectedCallback() { this.attachShadow({ mode: 'open' }).innerHTML = '<p>Rendered in a shadow root</p>'; }
      });
    </script>`,
  ),
  '/hidden-only': html(
    '<p style="display:none">hidden</p><p style="visibility:hidden">invisible</p><canvas width="0" height="0"></canvas>',
  ),
  '/gated': html(
    '<div id="app"></div><script>fetch("/api/gate").then(() => { document.getElementById("app").textContent = "through"; })</script>',
  ),
  '/api/gate': (req, res) => {
    gateCalls += 1;
    // The first call is held: the browser is killed while the page waits for it.
    if (gateCalls > 1) asset('application/json', '{}')(req, res);
  },
  '/barrier': html(
    '<div id="app"></div><script>fetch("/api/barrier").then(() => { document.getElementById("app").textContent = "together"; })</script>',
  ),
  '/api/barrier': barrier,
};

let app: Awaited<ReturnType<typeof serve>>;
/** A loopback port nothing listens on (a server's, closed again). */
let closedPort: number;
let checker: PageChecker;
/** `http://<label>.localhost:<port><path>`: each check on an origin of its own, as previews are. */
let at: (path: string, label?: string) => string;

function newChecker(options: PageCheckerOptions = {}): PageChecker {
  return new PageChecker({
    executablePath: CHROMIUM,
    hosts: [{ host: '*.localhost', address: `127.0.0.1:${app.port}` }],
    ...options,
  });
}

beforeAll(async () => {
  app = await serve(ROUTES);
  outside = await serve({
    '/logo.png': asset('image/png', ''),
    '/track': asset('text/plain', 'ok'),
    '/stolen': asset('text/plain', 'internal data'),
  });
  ROUTES['/third-party'] = html(
    `<h1>Uses a CDN</h1><img src="http://127.0.0.1:${outside.port}/logo.png">
     <script>fetch("http://127.0.0.1:${outside.port}/track").catch(() => {});
     try { new WebSocket("ws://127.0.0.1:${outside.port}/live"); } catch {}</script>`,
  );
  ROUTES['/leaves'] = html(
    `<h1>Bye</h1><script>addEventListener("load", () => { location.href = "http://127.0.0.1:${outside.port}/elsewhere?t=1"; })</script>`,
  );
  ROUTES['/redirect-out'] = (_req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${outside.port}/stolen` });
    res.end();
  };
  ROUTES['/redirects-assets'] = html(
    '<h1>Redirects</h1><img src="/redirect-out"><script>fetch("/redirect-out").catch(() => {})</script>',
  );
  const closed = await serve({});
  closedPort = closed.port;
  await stop(closed.server);
  at = (path, label = 'app') => `http://${label}.localhost:${app.port}${path}`;
  checker = newChecker({
    hosts: [
      { host: 'gone.localhost', address: `127.0.0.1:${closedPort}` },
      { host: '*.localhost', address: `127.0.0.1:${app.port}` },
    ],
  });
});

afterAll(async () => {
  await checker?.close();
  if (app) await stop(app.server);
  if (outside) await stop(outside.server);
});

function kinds(result: PageCheckResult): string[] {
  return result.problems.map((problem) => problem.kind);
}

describe('what a check reports', () => {
  it('passes a page that renders with its own styles and script', async () => {
    const result = await checker.check(at('/good'));
    expect(PageCheckResult.parse(result)).toEqual(result);
    expect(result).toMatchObject({ status: 'passed', title: 'Good app', documentStatus: 200, problems: [] });
    expect(result.url).toBe(at('/good'));
    expect(summary(result).line).toMatch(/^Preview check passed: .*"Good app"/);
  });

  it('fails a page whose script throws, with the error and where it was thrown', async () => {
    const result = await checker.check(at('/throws'));
    expect(result.status).toBe('failed');
    expect(kinds(result)).toEqual(['page_error']);
    const [error] = result.problems;
    expect(error?.message).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'map'\)/);
    expect(error?.message).toContain(`at renderLinks (${at('/broken.js')}:2:`);

    const { line, evidence } = summary(result);
    expect(line).toBe(
      "Preview check failed: 1 problem (page error: TypeError: Cannot read properties of undefined (reading 'map'))",
    );
    expect(evidence).toContain('Problems (each fails the check):');
    expect(evidence).toContain(
      "1. page error: TypeError: Cannot read properties of undefined (reading 'map')",
    );
    expect(evidence).toContain(`at renderLinks (${at('/broken.js')}:2:`);
  });

  it('fails a page that logs a console error, naming the script line', async () => {
    const result = await checker.check(at('/console'));
    expect(result.status).toBe('failed');
    expect(result.problems).toEqual([
      { kind: 'console_error', message: 'could not draw the chart: no data', url: at('/console'), line: 1 },
    ]);
  });

  it('fails a page whose root-relative stylesheet is missing (404 on its own origin)', async () => {
    const result = await checker.check(at('/missing-css'));
    expect(result.status).toBe('failed');
    expect(result.problems).toEqual([
      {
        kind: 'http_error',
        message: 'GET /missing.css answered 404 Not Found',
        url: at('/missing.css'),
        status: 404,
      },
    ]);
    expect(summary(result).evidence).toContain(
      `HTTP error: GET /missing.css answered 404 Not Found [${at('/missing.css')}]`,
    );
  });

  it('fails a page whose API call answers 500', async () => {
    const result = await checker.check(at('/api-fails'));
    expect(result.status).toBe('failed');
    expect(result.problems).toEqual([
      expect.objectContaining({ kind: 'http_error', status: 500, url: at('/api/items') }),
    ]);
  });

  it('fails a blank page', async () => {
    const result = await checker.check(at('/blank'), { settleMs: 1000 });
    expect(result.status).toBe('failed');
    expect(kinds(result)).toEqual(['blank_page']);
    expect(summary(result).evidence).toContain('blank page: nothing visible was rendered');
  });

  it('takes hidden elements and empty canvases for a blank page, and shadow DOM content for a rendered one', async () => {
    expect(kinds(await checker.check(at('/hidden-only'), { settleMs: 500 }))).toEqual(['blank_page']);
    expect(await checker.check(at('/web-component'))).toMatchObject({ status: 'passed', problems: [] });
  });

  it('waits for content that arrives by fetch after the load event, and passes it', async () => {
    const result = await checker.check(at('/late'));
    expect(result).toMatchObject({ status: 'passed', problems: [] });
    expect(app.hits).toContain('/api/slow-items');
  });

  it('reports a page that never finishes loading as a timeout, naming what it waits for', async () => {
    const result = await checker.check(at('/never-loads'), { timeoutMs: 3000 });
    expect(result.status).toBe('failed');
    expect(result.problems).toEqual([
      expect.objectContaining({
        kind: 'timeout',
        message: `the page did not finish loading within 3 s (still waiting for GET ${at('/never.js')})`,
      }),
    ]);
    expect(result.durationMs).toBeLessThan(3000 + 10_000);
  });

  it('gives up on a page whose script never yields', async () => {
    const result = await checker.check(at('/busy'), { timeoutMs: 3000 });
    expect(result.status).toBe('failed');
    expect(kinds(result)).toEqual(['timeout']);
    expect(result.problems[0]?.message).toContain('its script kept it busy');
    // The browser is still good for the next check.
    expect((await checker.check(at('/good'))).status).toBe('passed');
  });

  it('reports a page the browser cannot open', async () => {
    const result = await checker.check(`http://gone.localhost:${closedPort}/`);
    expect(result.status).toBe('failed');
    expect(result.problems).toEqual([
      expect.objectContaining({
        kind: 'navigation',
        message: expect.stringContaining('net::ERR_CONNECTION_REFUSED'),
      }),
    ]);
    expect(result.documentStatus).toBeNull();
  });

  it('sends the cookies and headers it is given, and fails the page without them', async () => {
    const without = await checker.check(at('/needs-token'));
    expect(without.status).toBe('failed');
    expect(without.problems).toEqual([
      expect.objectContaining({
        kind: 'http_error',
        status: 401,
        message: 'the page answered 401 Unauthorized',
      }),
    ]);
    expect(without.documentStatus).toBe(401);

    const withCookie = await checker.check(at('/needs-token'), {
      cookies: [{ name: 'sk_preview', value: 'cookie-token-123' }],
    });
    expect(withCookie).toMatchObject({ status: 'passed', documentStatus: 200 });
    const withHeader = await checker.check(at('/needs-token'), {
      headers: { 'x-preview-token': 'header-token-456' },
    });
    expect(withHeader).toMatchObject({ status: 'passed', documentStatus: 200 });
  });

  it('keeps the query string and the given secrets out of the result', async () => {
    const result = await checker.check(at('/inline-secret?sk_preview=query-secret-789&x=1'), {
      cookies: [{ name: 'session', value: 'cookie-secret-321' }],
    });
    expect(result.status).toBe('failed');
    expect(result.url).toBe(at('/inline-secret'));
    const text = JSON.stringify(result) + JSON.stringify(summary(result));
    expect(text).not.toContain('query-secret-789');
    expect(text).not.toContain('cookie-secret-321');
    expect(text).not.toContain('?');
    expect(kinds(result).sort()).toEqual(['console_error', 'page_error']);
    const pageError = result.problems.find((problem) => problem.kind === 'page_error');
    expect(pageError?.message).toContain(`Error: failed at ${at('/inline-secret')}`);
    expect(pageError?.message).toMatch(new RegExp(`at ${at('/inline-secret')}:\\d+:\\d+`));
  });

  it('keeps a header token out of the result, alone or with its scheme', async () => {
    const result = await checker.check(at('/echo-auth'), {
      headers: { authorization: 'Bearer header-secret-999' },
    });
    expect(result.problems).toEqual([
      expect.objectContaining({ kind: 'console_error', message: 'sent [redacted] / token [redacted]' }),
    ]);
  });

  it('judges a page whose request stays open once the settle time is over, and notes the request', async () => {
    const result = await checker.check(at('/streams'), { settleMs: 1000 });
    expect(result).toMatchObject({ status: 'passed', problems: [] });
    expect(result.notes).toEqual([
      expect.objectContaining({ kind: 'pending_request', url: at('/api/stream') }),
    ]);
  });

  it('caps what a noisy page can put in a result', async () => {
    const result = await checker.check(at('/noisy'));
    expect(result.status).toBe('failed');
    expect(result.problems.length).toBe(20);
    expect(result.omitted).toBeGreaterThan(200);
    expect(result.problems.every((problem) => problem.message.length <= 800)).toBe(true);
    expect(JSON.stringify(result).length).toBeLessThan(40_000);
    expect(summary(result).evidence.length).toBeLessThanOrEqual(4000);
  });

  it('blocks requests to other origins: they are noted, do not fail the check, and never arrive', async () => {
    const before = outside.hits.length;
    const result = await checker.check(at('/third-party'));
    expect(result).toMatchObject({ status: 'passed', problems: [] });
    const noted = result.notes.filter((note) => note.kind === 'third_party').map((note) => note.url);
    expect(noted).toEqual(
      expect.arrayContaining([
        `http://127.0.0.1:${outside.port}/logo.png`,
        `http://127.0.0.1:${outside.port}/track`,
        `ws://127.0.0.1:${outside.port}/live`,
      ]),
    );
    expect(summary(result).evidence).toContain('Notes (do not fail the check');
    expect(outside.hits.length).toBe(before);
  });

  it('never lets the app redirect the browser to another loopback service', async () => {
    const before = outside.hits.length;
    await checker.check(at('/redirects-assets'));
    const navigated = await checker.check(at('/redirect-out'));
    expect(navigated.status).toBe('failed');
    expect(navigated.problems).toEqual([
      expect.objectContaining({
        kind: 'navigation',
        message: `the page redirected to another origin (http://127.0.0.1:${outside.port}/stolen); a check follows only the app's own origin`,
      }),
    ]);
    expect(outside.hits.length).toBe(before);
  });

  it('fails a page that sends the browser to another origin, which is never reached', async () => {
    const before = outside.hits.length;
    const result = await checker.check(at('/leaves'));
    expect(result.status).toBe('failed');
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        kind: 'navigation',
        message: `the page navigated to another origin (http://127.0.0.1:${outside.port}/elsewhere); a check follows only the app's own origin`,
      }),
    );
    expect(outside.hits.length).toBe(before);
  });

  it('checks a page on 127.0.0.1 when loopback is allowed', async () => {
    const local = newChecker({ hosts: [], allowLoopback: true });
    try {
      const result = await local.check(`http://127.0.0.1:${app.port}/good`);
      expect(result).toMatchObject({ status: 'passed', title: 'Good app' });
    } finally {
      await local.close();
    }
  });
});

describe('when the check cannot run', () => {
  it('skips, saying why, when there is no browser', async () => {
    const none = newChecker({ executablePath: '/nonexistent/chromium' });
    const result = await none.check(at('/good'));
    expect(result).toMatchObject({
      status: 'skipped',
      reason: 'no browser at /nonexistent/chromium',
      problems: [],
    });
    expect(summary(result).line).toBe('Preview check skipped: no browser at /nonexistent/chromium');
    await none.close();
  });

  it('skips a host it cannot reach and a URL that is not http(s), without opening a browser', async () => {
    const local = newChecker();
    expect(await local.check('http://example.test/')).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('cannot reach example.test'),
    });
    expect(await local.check('file:///etc/passwd')).toMatchObject({
      status: 'skipped',
      reason: 'not an http(s) URL',
    });
    expect(local.stats.launches).toBe(0);
    await local.close();
  });
});

/** Pids of the Chromium processes this test process started (its direct children). */
function chromiumChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readlinkSync(`/proc/${entry}/exe`).includes('chromium'))
        pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the browser behind the checks', () => {
  it('runs two checks at once, each with its own result', async () => {
    const local = newChecker({ maxConcurrent: 2 });
    try {
      const [a, b, broken] = await Promise.all([
        local.check(at('/barrier', 'one')),
        local.check(at('/barrier', 'two')),
        local.check(at('/throws', 'three')),
      ]);
      // Each barrier page renders only once the other one's request is waiting too.
      expect(a).toMatchObject({ status: 'passed', problems: [] });
      expect(b).toMatchObject({ status: 'passed', problems: [] });
      expect(kinds(broken)).toEqual(['page_error']);
      expect(local.stats).toEqual({ launches: 1, running: 0, queued: 0 });
    } finally {
      await local.close();
    }
  });

  it('starts its browser when warmed, before any check, and the first check uses it', async () => {
    const local = newChecker();
    try {
      local.warm();
      await until(() => local.stats.launches === 1, 'the browser to start');
      expect(await local.check(at('/good'))).toMatchObject({ status: 'passed' });
      expect(local.stats.launches).toBe(1);
    } finally {
      await local.close();
    }
  });

  it('refuses checks beyond its queue instead of piling them up', async () => {
    const local = newChecker({ maxConcurrent: 1, maxQueued: 1 });
    try {
      const first = local.check(at('/good', 'first'));
      const second = local.check(at('/good', 'second'));
      const third = await local.check(at('/good', 'third'));
      expect(third).toMatchObject({
        status: 'skipped',
        reason: 'the page checker is busy (1 running, 1 waiting)',
      });
      expect((await first).status).toBe('passed');
      expect((await second).status).toBe('passed');
    } finally {
      await local.close();
    }
  });

  it('launches a new browser when the last one was killed between checks', async () => {
    const local = newChecker();
    try {
      const others = new Set(chromiumChildren());
      expect((await local.check(at('/good'))).status).toBe('passed');
      const mine = chromiumChildren().filter((pid) => !others.has(pid));
      expect(mine).toHaveLength(1);
      process.kill(mine[0]!, 'SIGKILL');
      await until(() => !chromiumChildren().includes(mine[0]!), 'the browser to die');

      const after = await local.check(at('/throws'));
      expect(kinds(after)).toEqual(['page_error']);
      expect(local.stats.launches).toBe(2);
    } finally {
      await local.close();
    }
  });

  it('runs a check again in a new browser when the browser dies during it', async () => {
    const local = newChecker();
    try {
      const others = new Set(chromiumChildren());
      const result = local.check(at('/gated'));
      await until(() => gateCalls === 1, 'the page to wait on its request');
      const mine = chromiumChildren().filter((pid) => !others.has(pid));
      expect(mine).toHaveLength(1);
      process.kill(mine[0]!, 'SIGKILL');

      expect(await result).toMatchObject({ status: 'passed', problems: [] });
      expect(gateCalls).toBe(2);
      expect(local.stats.launches).toBe(2);
    } finally {
      await local.close();
    }
  });

  it('closes its browser on close(), and skips checks after that', async () => {
    const others = new Set(chromiumChildren());
    const local = newChecker();
    expect((await local.check(at('/good'))).status).toBe('passed');
    expect(chromiumChildren().filter((pid) => !others.has(pid))).toHaveLength(1);
    await local.close();
    await until(() => chromiumChildren().every((pid) => others.has(pid)), 'the browser to exit');
    expect(await local.check(at('/good'))).toMatchObject({
      status: 'skipped',
      reason: 'the page checker is closed',
    });
  });
});
