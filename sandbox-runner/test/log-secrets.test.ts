/**
 * No token of any kind reaches the runner's log, at any level: the runner runs as in production (its
 * own process, `LOG_LEVEL=trace`) while previews are minted, opened as links and as sessions, proxied
 * (HTTP and WebSocket), checked in the headless browser, and the API is called with tokens in the
 * places clients put them (the Authorization header, and a query string by mistake).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { loopbackLookup, loopbackRequest } from '../../infra/stack/loopback-http.ts';
import type { PreviewInfo, ProcessLogsResponse, SandboxInfo } from '../src/contract.ts';
import { Client, SECRET, TEST_RUNNER_PREFIX } from './helpers.ts';

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));
/** Any JSON web token: three base64url parts, the first two JSON objects. */
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

let runner: ChildProcess;
let output = '';
let base = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  runner = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'trace',
      SANDBOX_RUNNER_SECRET: SECRET,
      SANDBOX_RUNNER_HOST: '127.0.0.1',
      SANDBOX_RUNNER_PORT: String(port),
      SANDBOX_RUNNER_ID: `${TEST_RUNNER_PREFIX}logs`,
      SANDBOX_IMAGE: inject('sandboxImage'),
      DOCKER_SOCKET: inject('dockerSocket'),
      SANDBOX_POOL_SIZE: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runner.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  runner.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 60_000;
  while ((await fetch(`${base}/healthz`).catch(() => null))?.status !== 200) {
    if (runner.exitCode !== null || Date.now() > deadline)
      throw new Error(`the runner did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 90_000);

afterAll(async () => {
  if (runner.exitCode === null) {
    const exited = new Promise((resolve) => runner.once('exit', resolve));
    runner.kill('SIGTERM');
    await exited;
  }
});

describe('the runner log', () => {
  it('holds no token of any kind, at trace level', async () => {
    const client = new Client(base, `logs-${Date.now().toString(36)}`);
    const sandbox: SandboxInfo = await client.create();
    await client.request('PUT', `/v1/sandboxes/${sandbox.id}/files`, {
      files: [
        {
          path: 'app.js',
          content:
            "require('node:http').createServer((q, s) => s.end('<h1>hi</h1>')).listen(3000, () => console.log('listening'));",
        },
      ],
    });
    const proc = await client.request<{ id: string }>('POST', `/v1/sandboxes/${sandbox.id}/processes`, {
      argv: ['node', 'app.js'],
    });
    await expect
      .poll(
        async () =>
          (
            await client.request<ProcessLogsResponse>(
              'GET',
              `/v1/sandboxes/${sandbox.id}/processes/${proc.body.id}/logs?waitMs=500`,
            )
          ).body.data,
      )
      .toContain('listening');
    const preview = (
      await client.request<PreviewInfo>('POST', `/v1/sandboxes/${sandbox.id}/previews`, { port: 3000 })
    ).body;
    const first = await loopbackRequest(preview.url);
    const session = first.cookies()[0]?.split(';')[0] ?? '';
    expect(session).toMatch(/^sk_preview=/);
    expect(
      (await loopbackRequest(`${preview.origin}/page?x=1`, { headers: { cookie: session } })).status,
    ).toBe(200);
    // A WebSocket upgrade with the link's token in its query (the app answers it with a plain page).
    const ws = new WebSocket(`${preview.origin.replace('http', 'ws')}/socket?sk_preview=${preview.token}`, {
      lookup: loopbackLookup,
    });
    await new Promise<void>((resolve) => {
      ws.on('error', () => resolve());
      ws.on('close', () => resolve());
      ws.on('unexpected-response', () => resolve());
    });
    // An API token where a client should not put it.
    const bearer = (await client.headers()).authorization!.slice('Bearer '.length);
    await fetch(`${base}/v1/sandboxes?access_token=${bearer}`);
    const checked = await client.request<{ result: { status: string } }>(
      'POST',
      `/v1/sandboxes/${sandbox.id}/previews/check`,
      { port: 3000 },
    );
    expect(checked.status).toBe(200);
    await client.request('DELETE', `/v1/sandboxes/${sandbox.id}`);

    const exited = new Promise((resolve) => runner.once('exit', resolve));
    runner.kill('SIGTERM');
    await exited;
    // The log is real (every request, with its path), and no line of it carries a token.
    expect(output).toContain('incoming request');
    expect(output).toContain(`/v1/sandboxes/${sandbox.id}/previews/check`);
    for (const secret of [preview.token, session.slice('sk_preview='.length), bearer])
      expect(output).not.toContain(secret);
    expect(output).not.toMatch(JWT);
  }, 120_000);
});
