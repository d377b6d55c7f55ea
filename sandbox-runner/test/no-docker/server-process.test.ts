/**
 * The runner as in production, its own process (`node src/server.ts`, `NODE_ENV=production`), on a host
 * whose Docker engine does not answer: it starts and says why it cannot create sandboxes yet, its log
 * names the paths of requests but never their query strings (a client may put a token there by
 * mistake), and it stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackRequest } from '../../../infra/stack/loopback-http.ts';
import { signPreviewToken, signRunnerToken } from '../../src/tokens.ts';
import { SECRET } from './runner.ts';

const SERVER = fileURLToPath(new URL('../../src/server.ts', import.meta.url));
/** Any JSON web token: three base64url parts, the first two JSON objects. */
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;
/** Put in query strings only: it must never reach the log. */
const MARKER = `query-marker-${randomBytes(6).toString('hex')}`;

let dir: string;
let runner: ChildProcess;
let output = '';
let base = '';

/** Waits until the log shows `pattern` (the runner writes it a moment after it answers). */
async function logShows(pattern: RegExp, withinMs = 30_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const match = pattern.exec(output);
    if (match) return match;
    if (runner.exitCode !== null) throw new Error(`the runner exited (${runner.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`the log never showed ${pattern}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samokoder-runner-'));
  runner = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      SANDBOX_RUNNER_SECRET: SECRET,
      SANDBOX_RUNNER_HOST: '127.0.0.1',
      SANDBOX_RUNNER_PORT: '0',
      SANDBOX_RUNNER_ID: `test-no-docker-${randomBytes(4).toString('hex')}`,
      DOCKER_SOCKET: join(dir, 'docker.sock'),
      SANDBOX_WORKSPACE_DIR: join(dir, 'workspaces'),
      SANDBOX_CHECK_BROWSER: 'none',
      SANDBOX_POOL_SIZE: '0',
      SANDBOX_SPARE_DISKS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runner.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  runner.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const listening = await logShows(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
  base = listening[1] ?? '';
}, 90_000);

afterAll(async () => {
  if (runner.exitCode === null && runner.signalCode === null) {
    const exited = new Promise((resolve) => runner.once('exit', resolve));
    runner.kill('SIGKILL');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

// The log is written a moment after each answer: the waits for it are bounded by `logShows`.
describe('the runner process without a Docker engine', { timeout: 60_000 }, () => {
  it('starts, logs that no engine answers, and is unhealthy with Retry-After', async () => {
    await logShows(/"msg":"no Docker engine answers: sandboxes can be created once it does/);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(health.headers.get('retry-after')).not.toBeNull();
    expect(await health.json()).toMatchObject({ ok: false, docker: 'down' });
  });

  it('logs the paths of requests, never their query strings', async () => {
    const token = await signRunnerToken(SECRET, 'project-a');
    const auth = { authorization: `Bearer ${token}` };
    await fetch(`${base}/v1/sandboxes?access_token=${token}&note=${MARKER}`, { headers: auth });
    await fetch(`${base}/v1/sandboxes?token=${MARKER}`, { method: 'POST', headers: auth });
    await fetch(`${base}/healthz?probe=${MARKER}`);
    await fetch(`${base}/no/such/route?secret=${MARKER}`);
    // and a preview link, whose token the preview side never logs
    const link = await signPreviewToken(SECRET, {
      projectId: 'project-a',
      sandboxId: 'sb_aaaaaaaaaaaaaaaaaaaa',
      port: 3000,
    });
    const preview = await loopbackRequest(
      `${base.replace('127.0.0.1', 'anything.localhost')}/?sk_preview=${link}`,
    );
    expect(preview.status).toBe(404);

    const requests: [string, string][] = [
      ['GET', '/v1/sandboxes'],
      ['POST', '/v1/sandboxes'],
      ['GET', '/healthz'],
      ['GET', '/no/such/route'],
    ];
    for (const [method, path] of requests) {
      await logShows(new RegExp(`"req":\\{"method":"${method}","url":"${path.replaceAll('/', '\\/')}"`));
    }
    await logShows(/"statusCode":404/);
    expect(output).not.toContain(MARKER);
    expect(output).not.toMatch(JWT);
  });

  it('stops on SIGTERM, exiting 0', async () => {
    const exited = new Promise<number | null>((resolve) => runner.once('exit', (code) => resolve(code)));
    runner.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
