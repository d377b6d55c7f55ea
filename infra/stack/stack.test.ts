import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, stackConfig } from './config.ts';
import { sleep } from './process.ts';
import { tcpOpen } from './wait.ts';

interface Health {
  status: string;
  checks: Record<string, { status: string }>;
}

const ports = stackConfig('smoke').ports;
const BASE = `http://127.0.0.1:${ports.worker}`;
const registryFile = join(repoRoot, '.local/smoke/stack.json');

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function health(): Promise<{ status: number; body: Health }> {
  const res = await fetch(`${BASE}/api/health`);
  return { status: res.status, body: (await res.json()) as Health };
}

/** `pnpm start` (the smoke profile) as a child process, once it says it is ready. */
async function startCli(env: NodeJS.ProcessEnv = {}): Promise<{
  cli: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Ctrl-C to its whole process group if it still runs (the test's cleanup). */
  cleanup: () => Promise<void>;
}> {
  const cli = spawn(process.execPath, [join(repoRoot, 'infra/stack/cli.ts')], {
    env: { ...process.env, STACK_PROFILE: 'smoke', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  cli.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  cli.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
  const cleanup = async () => {
    if (cli.exitCode !== null) return;
    process.kill(-cli.pid!, 'SIGINT');
    await Promise.race([exited, sleep(15_000)]);
  };
  for (const deadline = Date.now() + 240_000; !output.includes('Press Ctrl-C');) {
    if (cli.exitCode !== null || Date.now() > deadline) {
      await cleanup();
      throw new Error(`the stack did not come up:\n${output}`);
    }
    await sleep(250);
  }
  return { cli, output: () => output, exited, cleanup };
}

/** A new account's bearer token. */
async function signUp(): Promise<string> {
  const res = await fetch(`${BASE}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: BASE },
    body: JSON.stringify({
      email: `smoke-${Date.now()}@example.test`,
      password: 'correct horse battery staple',
      delivery: 'token',
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** An authenticated read: it needs Redis (the denylist, the rate limit) and Postgres. */
function listProjects(token: string): Promise<Response> {
  return fetch(`${BASE}/api/projects`, { headers: { authorization: `Bearer ${token}` } });
}

async function expectUnavailable(res: Response): Promise<void> {
  expect(res.status).toBe(503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('dependency_unavailable');
}

describe('the local stack (pnpm start)', () => {
  it('comes up with every dependency probed, queues a burst beyond its connections, answers 503 with Retry-After for each stopped dependency, and leaves nothing on Ctrl-C', async () => {
    // The embedded Postgres (what `pnpm start` uses), whatever the suite uses elsewhere: its
    // connection cap is what the burst below must not run into.
    const embedded = { TEST_DATABASE_URL: '' };
    const { cli, output, exited, cleanup } = await startCli(embedded);
    try {
      expect(output(), output()).toContain(`Open http://localhost:${ports.worker}`);

      const up = await health();
      expect(up.body.checks).toEqual({
        postgres: expect.objectContaining({ status: 'up' }),
        redis: expect.objectContaining({ status: 'up' }),
        sandboxRunner: expect.objectContaining({ status: 'up' }),
      });
      expect(up.status).toBe(200);

      // A second start while this one runs uses what runs, and its Ctrl-C leaves the first one alone.
      const second = await startCli(embedded);
      expect(second.output()).toMatch(/worker\s+\S+\s+\(already running\)/);
      await sleep(1000);
      expect(second.cli.exitCode, 'it waits for Ctrl-C').toBeNull();
      process.kill(second.cli.pid!, 'SIGINT');
      expect(await second.exited).toBe(0);
      expect((await health()).status).toBe(200);

      // Far more requests at once than the Worker keeps connections (8) and than the embedded
      // Postgres takes (16): they wait their turn, and every one is answered.
      const token = await signUp();
      const burst = await Promise.all(
        Array.from({ length: 60 }, () => listProjects(token).then((res) => res.status)),
      );
      expect(burst).toEqual(Array.from({ length: 60 }, () => 200));

      // Stop Postgres (its WebSocket proxy): health says so, and a signed-in request gets a 503 it
      // can retry, never a 500.
      const groups = (JSON.parse(readFileSync(registryFile, 'utf8')) as { groups: Record<string, number> })
        .groups;
      process.kill(-(groups['ws-proxy'] ?? groups.postgres!), 'SIGKILL');
      const noDatabase = await health();
      expect(noDatabase.status).toBe(503);
      expect(noDatabase.body.checks.postgres?.status).toBe('down');
      expect(noDatabase.body.checks.redis?.status).toBe('up');
      await expectUnavailable(await listProjects(token));

      // The same for Redis behind the bridge, then the runner; liveness holds throughout.
      process.kill(-groups.redis!, 'SIGKILL');
      const noRedis = await health();
      expect(noRedis.status).toBe(503);
      expect(noRedis.body.checks.redis?.status).toBe('down');
      await expectUnavailable(await listProjects(token));
      process.kill(-groups['sandbox-runner']!, 'SIGKILL');
      const allDown = await health();
      expect(allDown.status).toBe(503);
      expect(allDown.body.checks).toEqual({
        postgres: expect.objectContaining({ status: 'down' }),
        redis: expect.objectContaining({ status: 'down' }),
        sandboxRunner: expect.objectContaining({ status: 'down' }),
      });
      expect((await fetch(`${BASE}/api/health/live`)).status).toBe(200);

      // Ctrl-C: every process group the stack started is gone, and its ports are closed.
      process.kill(cli.pid!, 'SIGINT');
      expect(await exited).toBe(0);
      for (const [name, pid] of Object.entries(groups)) expect(groupAlive(pid), name).toBe(false);
      expect(await tcpOpen('127.0.0.1', ports.worker)).toBe(false);
      expect(await tcpOpen('127.0.0.1', ports.runner)).toBe(false);
    } finally {
      await cleanup();
    }
  }, 300_000);

  it('says what is missing and how to get it, and starts the rest', async () => {
    // A PATH with Node alone: no redis-server.
    const { cli, output, exited, cleanup } = await startCli({ PATH: dirname(process.execPath) });
    try {
      expect(output()).toMatch(
        /✗ redis\s+missing: redis-server is not installed\n\s+→ apt-get install -y redis-server/,
      );
      expect(output()).toContain('piece(s) missing: the rest works');
      const { status, body } = await health();
      expect(status).toBe(503);
      expect(body.checks).toMatchObject({ redis: { status: 'down' }, postgres: { status: 'up' } });
      process.kill(cli.pid!, 'SIGINT');
      expect(await exited).toBe(0);
      expect(await tcpOpen('127.0.0.1', ports.worker)).toBe(false);
    } finally {
      await cleanup();
    }
  }, 300_000);
});
