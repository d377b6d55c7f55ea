import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { PreviewInfo, ProcessLogsResponse, SandboxInfo } from '../src/contract.ts';
import { loopbackLookup, loopbackRequest } from '../../infra/stack/loopback-http.ts';
import { signPreviewToken } from '../src/tokens.ts';
import { SECRET, startRunner } from './helpers.ts';
import type { Client, TestRunner } from './helpers.ts';

/** An app inside the sandbox: echoes requests as JSON, serves 2 MiB at /big, echoes WebSocket text frames. */
const APP = String.raw`
const http = require('node:http');
const crypto = require('node:crypto');
const server = http.createServer((req, res) => {
  if (req.url === '/big') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let n = 32;
    const chunk = Buffer.alloc(65536, 97);
    (function write() {
      while (n > 0) { n--; if (!res.write(chunk)) return res.once('drain', write); }
      res.end();
    })();
    return;
  }
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    if (req.url === '/wide') {
      res.setHeader('set-cookie', ['own=1; Path=/', 'tossed=1; Domain=localhost; Path=/', 'sk_preview=forged; Path=/']);
      res.setHeader('service-worker-allowed', '/');
      res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
      res.setHeader('alt-svc', 'h3=":443"');
      res.setHeader('x-frame-options', 'DENY');
      res.setHeader('content-security-policy', "default-src 'self'; frame-ancestors 'none'");
      return res.end('wide');
    }
    res.setHeader('set-cookie', ['app=1']);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, cookie: req.headers.cookie ?? null, forwarded: { host: req.headers['x-forwarded-host'], proto: req.headers['x-forwarded-proto'] }, body }));
  });
});
server.on('upgrade', (req, socket) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\nStrict-Transport-Security: max-age=1\r\n\r\n');
  socket.on('data', (buf) => {
    const len = buf[1] & 127;
    const mask = buf.subarray(2, 6);
    const data = Buffer.from(buf.subarray(6, 6 + len)).map((b, i) => b ^ mask[i % 4]);
    const text = Buffer.from('echo:' + data.toString() + ' url:' + req.url + ' host:' + req.headers.host);
    socket.write(Buffer.concat([Buffer.from([0x81, text.length]), text]));
  });
});
server.listen(3000, '127.0.0.1', () => console.log('listening'));
`;

let runner: TestRunner;
let client: Client;
let sandbox: SandboxInfo;
let preview: PreviewInfo;

async function startApp(c: Client, sb: SandboxInfo): Promise<void> {
  await c.request('PUT', `/v1/sandboxes/${sb.id}/files`, { files: [{ path: 'app.js', content: APP }] });
  const proc = await c.request<{ id: string }>('POST', `/v1/sandboxes/${sb.id}/processes`, {
    argv: ['node', 'app.js'],
  });
  for (;;) {
    const logs = await c.request<ProcessLogsResponse>(
      'GET',
      `/v1/sandboxes/${sb.id}/processes/${proc.body.id}/logs?waitMs=1000`,
    );
    if (logs.body.data.includes('listening')) return;
    if (logs.body.process.status !== 'running') throw new Error(`the app exited: ${logs.body.data}`);
  }
}

async function mint(c: Client, sb: SandboxInfo, port = 3000): Promise<PreviewInfo> {
  const res = await c.request<PreviewInfo>('POST', `/v1/sandboxes/${sb.id}/previews`, { port });
  expect(res.status).toBe(201);
  return res.body;
}

/** The session cookie a link turns into (name=value only). */
async function session(link: string): Promise<string> {
  const res = await loopbackRequest(link);
  expect(res.status).toBe(302);
  const cookie = res.cookies().find((c) => c.startsWith('sk_preview='));
  expect(cookie).toBeDefined();
  return cookie!.split(';')[0]!;
}

beforeAll(async () => {
  runner = await startRunner();
  client = runner.client();
  sandbox = await client.create(); // network policy none: the preview must still work
  await startApp(client, sandbox);
  preview = await mint(client, sandbox);
});
afterAll(() => runner.close());

const port = () => new URL(runner.base).port;

describe('preview origins', () => {
  it('serves each app port of a project at an origin of its own, the same for every sandbox of the project', async () => {
    expect(preview.origin).toMatch(new RegExp(`^http://[a-z2-7]{26}-3000\\.localhost:${port()}$`));
    expect(preview.url).toBe(`${preview.origin}/?sk_preview=${preview.token}`);
    expect((await mint(client, sandbox, 5173)).origin).toBe(preview.origin.replace('-3000.', '-5173.'));
    const second = await client.create();
    expect((await mint(client, second)).origin).toBe(preview.origin);
    const other = runner.client();
    expect((await mint(other, await other.create())).origin).not.toBe(preview.origin);
  });

  it('turns a link into a partitioned session cookie of its origin and takes the token out of the address', async () => {
    const res = await loopbackRequest(`${preview.origin}/list?page=2&sk_preview=${preview.token}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/list?page=2');
    const cookie = res.cookies().find((c) => c.startsWith('sk_preview='))!;
    for (const attribute of ['Path=/', 'HttpOnly', 'Secure', 'SameSite=None', 'Partitioned'])
      expect(cookie).toContain(attribute);
    expect(cookie).not.toMatch(/domain=/i);
  });

  it('proxies as if the app were at /: its public host, its own cookies, never the session cookie', async () => {
    const cookie = `${await session(preview.url)}; app=1`;
    const res = await loopbackRequest(`${preview.origin}/api/items?x=1`, {
      method: 'POST',
      headers: { cookie },
      body: 'payload',
    });
    expect(res.status).toBe(200);
    const host = new URL(preview.origin).host;
    expect(res.json()).toEqual({
      method: 'POST',
      url: '/api/items?x=1',
      host,
      cookie: 'app=1',
      forwarded: { host, proto: 'http' },
      body: 'payload',
    });
  });

  it("drops the headers that would widen an app's reach beyond its own origin", async () => {
    const cookie = await session(preview.url);
    const res = await loopbackRequest(`${preview.origin}/wide`, { headers: { cookie } });
    expect(res.text()).toBe('wide');
    // Host-only and partitioned: the app's cookies stay on its origin and work in the UI's frame.
    expect(res.cookies()).toEqual([
      'own=1; Path=/; Secure; SameSite=None; Partitioned',
      'tossed=1; Path=/; Secure; SameSite=None; Partitioned',
    ]);
    for (const dropped of [
      'service-worker-allowed',
      'strict-transport-security',
      'alt-svc',
      'x-frame-options',
    ])
      expect(res.headers[dropped]).toBeUndefined();
    expect(res.headers['content-security-policy']).toBe("default-src 'self'");
  });

  it('refuses requests without a valid token for this origin', async () => {
    const status = async (url: string, headers: Record<string, string> = {}) =>
      (await loopbackRequest(url, { headers })).status;
    expect(await status(`${preview.origin}/`)).toBe(401);
    expect(await status(`${preview.origin}/?sk_preview=garbage`)).toBe(401);
    const claims = { projectId: sandbox.projectId, sandboxId: sandbox.id, port: 3000 };
    const otherPort = await signPreviewToken(SECRET, { ...claims, port: 3001 });
    expect(await status(`${preview.origin}/?sk_preview=${otherPort}`)).toBe(401);
    // A valid token of another project does not open this project's origin.
    const other = runner.client();
    const foreign = await mint(other, await other.create());
    expect(await status(`${preview.origin}/?sk_preview=${foreign.token}`)).toBe(401);
    expect(await status(`${preview.origin}/`, { cookie: await session(foreign.url) })).toBe(401);
    const expired = await signPreviewToken(SECRET, claims, { now: Date.now() - 7_200_000 });
    expect(await status(`${preview.origin}/?sk_preview=${expired}`)).toBe(401);
    // An API token is not a preview token.
    expect(await status(`${preview.origin}/`, await client.headers())).toBe(401);
    // A name under the preview domain that is no preview; the old path-based previews are gone.
    expect(await status(`http://nothing.localhost:${port()}/`)).toBe(404);
    expect(await status(`${runner.base}/preview/${sandbox.id}/3000/?sk_preview=${preview.token}`)).toBe(404);
  });

  it('answers a person with a page that says what to do, and a program with the error envelope', async () => {
    const page = await loopbackRequest(`${preview.origin}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text()).toContain('open it from the Preview tab');
    const api = await loopbackRequest(`${preview.origin}/`);
    expect(api.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('streams large responses intact', async () => {
    const res = await loopbackRequest(`${preview.origin}/big`, {
      headers: { cookie: await session(preview.url) },
    });
    expect(res.body.length).toBe(32 * 65536);
    expect(res.body.every((b) => b === 97)).toBe(true);
  });

  it('answers 502 when nothing listens on the port', async () => {
    const link = await mint(client, sandbox, 3999);
    const res = await loopbackRequest(`${link.origin}/`, { headers: { cookie: await session(link.url) } });
    expect(res.status).toBe(502);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('preview_unreachable');
  });

  it('proxies WebSocket upgrades with the session cookie, and refuses them without', async () => {
    const cookie = await session(preview.url);
    const ws = new WebSocket(`${preview.origin.replace('http:', 'ws:')}/socket`, {
      headers: { cookie },
      lookup: loopbackLookup,
    });
    const upgradeHeaders = new Promise<Record<string, unknown>>((resolve) =>
      ws.on('upgrade', (res) => resolve(res.headers)),
    );
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hi'));
      ws.on('message', (data) => resolve(String(data)));
      ws.on('error', reject);
    });
    ws.close();
    expect(reply).toBe(`echo:hi url:/socket host:${new URL(preview.origin).host}`);
    expect((await upgradeHeaders)['strict-transport-security']).toBeUndefined();

    const refused = new WebSocket(`${preview.origin.replace('http:', 'ws:')}/socket`, {
      lookup: loopbackLookup,
    });
    const status = await new Promise<number>((resolve) => {
      refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      refused.on('error', () => resolve(-1));
    });
    expect(status).toBe(401);
  });

  it('ends with its sandbox: the link and the session stop working', async () => {
    const own = runner.client();
    const sb = await own.create();
    await startApp(own, sb);
    const link = await mint(own, sb);
    const cookie = await session(link.url);
    expect((await loopbackRequest(`${link.origin}/`, { headers: { cookie } })).status).toBe(200);
    expect((await own.request('DELETE', `/v1/sandboxes/${sb.id}`)).status).toBe(204);
    expect((await loopbackRequest(`${link.origin}/`, { headers: { cookie } })).status).toBe(404);
    expect((await loopbackRequest(link.url)).status).toBe(404);
  });
});
