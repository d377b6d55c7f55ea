import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { PreviewInfo, ProcessLogsResponse, SandboxInfo } from '../src/contract.ts';
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
    res.setHeader('set-cookie', ['app=1']);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, cookie: req.headers.cookie ?? null, prefix: req.headers['x-forwarded-prefix'], body }));
  });
});
server.on('upgrade', (req, socket) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\n\r\n');
  socket.on('data', (buf) => {
    const len = buf[1] & 127;
    const mask = buf.subarray(2, 6);
    const data = Buffer.from(buf.subarray(6, 6 + len)).map((b, i) => b ^ mask[i % 4]);
    const text = Buffer.from('echo:' + data.toString() + ' url:' + req.url);
    socket.write(Buffer.concat([Buffer.from([0x81, text.length]), text]));
  });
});
server.listen(3000, '127.0.0.1', () => console.log('listening'));
`;

let runner: TestRunner;
let client: Client;
let sandbox: SandboxInfo;
let preview: PreviewInfo;
beforeAll(async () => {
  runner = await startRunner();
  client = runner.client();
  sandbox = await client.create(); // network policy none: the preview must still work
  await client.request('PUT', `/v1/sandboxes/${sandbox.id}/files`, {
    files: [{ path: 'app.js', content: APP }],
  });
  const proc = await client.request<{ id: string }>('POST', `/v1/sandboxes/${sandbox.id}/processes`, {
    argv: ['node', 'app.js'],
  });
  for (let i = 0; i < 20; i++) {
    const logs = await client.request<ProcessLogsResponse>(
      'GET',
      `/v1/sandboxes/${sandbox.id}/processes/${proc.body.id}/logs?waitMs=1000`,
    );
    if (logs.body.data.includes('listening')) break;
  }
  preview = (
    await client.request<PreviewInfo>('POST', `/v1/sandboxes/${sandbox.id}/previews`, { port: 3000 })
  ).body;
});
afterAll(() => runner.close());

const prefix = () => `${runner.base}/preview/${sandbox.id}/3000`;

describe('preview proxy', () => {
  it('refuses requests without a valid preview token', async () => {
    expect((await fetch(`${prefix()}/`)).status).toBe(401);
    expect((await fetch(`${prefix()}/?sk_preview=garbage`)).status).toBe(401);
    const otherPort = await signPreviewToken(SECRET, {
      projectId: sandbox.projectId,
      sandboxId: sandbox.id,
      port: 3001,
    });
    expect((await fetch(`${prefix()}/?sk_preview=${otherPort}`)).status).toBe(401);
    const otherProject = await signPreviewToken(SECRET, {
      projectId: 'intruder',
      sandboxId: sandbox.id,
      port: 3000,
    });
    expect((await fetch(`${prefix()}/?sk_preview=${otherProject}`)).status).toBe(404);
    const expired = await signPreviewToken(
      SECRET,
      { projectId: sandbox.projectId, sandboxId: sandbox.id, port: 3000 },
      { now: Date.now() - 7_200_000 },
    );
    expect((await fetch(`${prefix()}/?sk_preview=${expired}`)).status).toBe(401);
    // an API token is not a preview token
    const api = await client.headers();
    expect((await fetch(`${prefix()}/`, { headers: api })).status).toBe(401);
  });

  it('proxies with the token from the URL, then from the cookie it sets, hiding the token from the app', async () => {
    const first = await fetch(preview.url.replace('/3000/?', '/3000/hello?x=1&'));
    expect(first.status).toBe(200);
    const body = (await first.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ method: 'GET', url: '/hello?x=1', host: 'localhost:3000', cookie: null });
    expect(body.prefix).toBe(`/preview/${sandbox.id}/3000`);
    const cookies = first.headers.getSetCookie();
    expect(cookies).toContain('app=1');
    const previewCookie = cookies.find((c) => c.startsWith('sk_preview='));
    expect(previewCookie).toContain(`Path=/preview/${sandbox.id}/3000/`);
    expect(previewCookie).toContain('HttpOnly');

    const cookie = `${previewCookie!.split(';')[0]}; app=1`;
    const second = await fetch(`${prefix()}/api/items`, {
      method: 'POST',
      headers: { cookie },
      body: 'payload',
    });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({
      method: 'POST',
      url: '/api/items',
      cookie: 'app=1',
      body: 'payload',
    });
  });

  it('streams large responses intact', async () => {
    const res = await fetch(`${prefix()}/big?sk_preview=${preview.token}`);
    const data = Buffer.from(await res.arrayBuffer());
    expect(data.length).toBe(32 * 65536);
    expect(data.every((b) => b === 97)).toBe(true);
  });

  it('answers 502 when nothing listens on the port', async () => {
    const token = await signPreviewToken(SECRET, {
      projectId: sandbox.projectId,
      sandboxId: sandbox.id,
      port: 3999,
    });
    const res = await fetch(`${runner.base}/preview/${sandbox.id}/3999/?sk_preview=${token}`);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('preview_unreachable');
  });

  it('proxies WebSocket upgrades', async () => {
    const url = `${prefix().replace('http:', 'ws:')}/socket?sk_preview=${preview.token}`;
    const ws = new WebSocket(url);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hi'));
      ws.on('message', (data) => resolve(String(data)));
      ws.on('error', reject);
    });
    ws.close();
    expect(reply).toBe('echo:hi url:/socket');
  });

  it('refuses a WebSocket upgrade without a token', async () => {
    const ws = new WebSocket(`${prefix().replace('http:', 'ws:')}/socket`);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(401);
  });
});
