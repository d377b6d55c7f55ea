import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, stackConfig } from './config.ts';
import { sleep } from './process.ts';
import { groupsOf } from './registry.ts';
import { tcpOpen } from './wait.ts';

interface Health {
  status: string;
  checks: Record<string, { status: string }>;
}

const ports = stackConfig('smoke').ports;
const BASE = `http://127.0.0.1:${ports.worker}`;
const stateDir = stackConfig('smoke').stateDir;

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

interface Cli {
  cli: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Ctrl-C to its whole process group if it still runs (the test's cleanup). */
  cleanup: () => Promise<void>;
}

/** `pnpm start` (the smoke profile) as a child process in a process group of its own, as in a terminal. */
function spawnCli(env: NodeJS.ProcessEnv = {}): Cli {
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
    if (cli.exitCode !== null || cli.signalCode !== null) return;
    process.kill(-cli.pid!, 'SIGINT');
    await Promise.race([exited, sleep(15_000)]);
  };
  return { cli, output: () => output, exited, cleanup };
}

/** Wait until `ready()` holds, failing with what the CLIs printed when it does not in time. */
async function waitFor(
  what: string,
  ready: () => boolean,
  clis: readonly Cli[],
  timeoutMs = 240_000,
): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !ready(); await sleep(100)) {
    const gone = clis.find((c) => c.cli.exitCode !== null);
    if (gone || Date.now() > deadline) {
      await Promise.all(clis.map((c) => c.cleanup()));
      throw new Error(
        `${what}: ${gone ? 'a start exited' : 'timed out'}:\n${clis.map((c) => c.output()).join('\n---\n')}`,
      );
    }
  }
}

/** `pnpm start` (the smoke profile), once it says it is ready. */
async function startCli(env: NodeJS.ProcessEnv = {}): Promise<Cli> {
  const started = spawnCli(env);
  await waitFor('the stack did not come up', () => started.output().includes('Press Ctrl-C'), [started]);
  return started;
}

/** A process on this machine, as /proc tells it. */
interface ProcessInfo {
  pid: number;
  group: number;
  session: number;
  command: string;
  environ: string;
}

function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state, ppid, pgrp, session, …
      const [, , group, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.push({
        pid: Number(entry),
        group: Number(group),
        session: Number(session),
        command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim(),
        environ: readFileSync(`/proc/${entry}/environ`, 'utf8'),
      });
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

// The Docker engine is the machine's, shared by every stack and checkout: a stack that had to start it
// leaves it running on purpose.
const MACHINE_WIDE = /(^|\/)(dockerd|containerd|containerd-shim\S*|docker-proxy)( |$)/;

/**
 * Processes left by a stack: anything that inherited the run's marker from the CLIs (redis-server
 * rewrites its environment for its process title, so the groups and ports catch it), and anything
 * still in a process group or session the stacks recorded.
 */
function leftovers(marker: string, groups: Set<number>): string[] {
  return processes()
    .filter(
      (p) =>
        (p.environ.includes(`${MARKER_VAR}=${marker}`) && !MACHINE_WIDE.test(p.command)) ||
        groups.has(p.group) ||
        groups.has(p.session),
    )
    .map((p) => `${p.pid} ${p.command.slice(0, 120)}`);
}

const MARKER_VAR = 'SAMOKODER_STACK_TEST_RUN';

async function openPorts(): Promise<string[]> {
  const open: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (await tcpOpen('127.0.0.1', port)) open.push(`${name} (${port})`);
  }
  return open;
}

/** Every group the stack processes have recorded so far. */
function recordedGroups(clis: readonly Cli[], into: Set<number>): void {
  for (const c of clis) for (const pgid of Object.values(groupsOf(stateDir, c.cli.pid!))) into.add(pgid);
}

type Moment = (a: Cli, b: Cli) => boolean;
const printed = (c: Cli, text: string) => c.output().includes(text);
const either =
  (text: string): Moment =>
  (a, b) =>
    printed(a, text) || printed(b, text);
const both =
  (text: string): Moment =>
  (a, b) =>
    printed(a, text) && printed(b, text);

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
      const groups = groupsOf(stateDir, cli.pid!);
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
  // Two `pnpm start` at the same moment, then Ctrl-C to both at one of these moments.
  it.each<[string, Moment]>([
    ['as both begin', both('starting the local stack')],
    ['while the first starts its services', either('redis: starting')],
    ['while the Worker starts', either('worker: wrangler dev')],
    ['once the first is up (the second still deciding what to reuse)', either('Press Ctrl-C')],
    ['once both are up (the second uses what the first started)', both('Press Ctrl-C')],
  ])(
    'two starts at once, Ctrl-C %s: no process, group or port is left',
    async (_, moment) => {
      expect(await openPorts(), 'the smoke ports are free before the test').toEqual([]);
      const marker = crypto.randomUUID();
      const clis = [spawnCli({ [MARKER_VAR]: marker }), spawnCli({ [MARKER_VAR]: marker })] as const;
      const groups = new Set<number>();
      try {
        // The groups are collected all along: a piece may start and stop between two looks.
        const reached = () => {
          recordedGroups(clis, groups);
          return moment(...clis);
        };
        await waitFor('the moment never came', reached, clis);
        // Ctrl-C in a terminal: SIGINT to each start's whole foreground process group.
        for (const c of clis) process.kill(-c.cli.pid!, 'SIGINT');
        // 0 or 130 from the stack's own handler; killed by the signal itself (null) when it came while
        // Node was still loading the CLI, before anything was started (a busy machine takes seconds).
        for (const c of clis) expect([0, 130, null], c.output()).toContain(await c.exited);
        expect(leftovers(marker, groups)).toEqual([]);
        expect(await openPorts()).toEqual([]);
        for (const c of clis) expect(groupsOf(stateDir, c.cli.pid!)).toEqual({});
      } finally {
        await Promise.all(clis.map((c) => c.cleanup()));
      }
    },
    300_000,
  );

  it('a start interrupted while the other waits: the other then starts the stack itself, and its Ctrl-C leaves nothing', async () => {
    expect(await openPorts()).toEqual([]);
    const marker = crypto.randomUUID();
    const clis = [spawnCli({ [MARKER_VAR]: marker }), spawnCli({ [MARKER_VAR]: marker })] as const;
    const groups = new Set<number>();
    try {
      // One holds the start lock and starts the services; the other waits for it.
      const holderOf = () => clis.find((c) => printed(c, 'redis: starting'));
      const waiting = () => clis.some((c) => printed(c, 'waiting for it'));
      await waitFor('no start waited for the other', () => !!holderOf() && waiting(), clis);
      const first = holderOf()!;
      const second = clis.find((c) => c !== first)!;
      recordedGroups([first], groups);
      process.kill(-first.cli.pid!, 'SIGINT');
      expect(await first.exited).toBe(130);

      await waitFor('the second did not come up', () => printed(second, 'Press Ctrl-C'), [second]);
      expect(second.output()).toMatch(/worker\s+\S+\s+\(started\)/);
      recordedGroups([second], groups);
      process.kill(-second.cli.pid!, 'SIGINT');
      expect(await second.exited).toBe(0);
      expect(leftovers(marker, groups)).toEqual([]);
      expect(await openPorts()).toEqual([]);
    } finally {
      await Promise.all(clis.map((c) => c.cleanup()));
    }
  }, 300_000);
});
