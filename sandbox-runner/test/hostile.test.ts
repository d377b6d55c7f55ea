/**
 * Hostile programs: each has a clean, expected outcome, and afterwards the runner is healthy and (unless
 * the program destroyed its own sandbox) the sandbox still runs commands.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxInfo, SandboxLimits } from '../src/contract.ts';
import { startRunner } from './helpers.ts';
import type { Client, TestRunner } from './helpers.ts';

let runner: TestRunner;
let client: Client;
beforeAll(async () => {
  runner = await startRunner({ killGraceMs: 500, outputLimitBytes: 64 * 1024 });
  client = runner.client();
});
afterAll(() => runner.close());
afterEach(async () => {
  const health = await fetch(`${runner.base}/healthz`);
  expect(health.status).toBe(200);
});

const created: string[] = [];
async function fresh(limits: Partial<SandboxLimits> = {}): Promise<SandboxInfo> {
  for (const id of created.splice(0)) await client.request('DELETE', `/v1/sandboxes/${id}`);
  const sandbox = await client.create({ limits });
  created.push(sandbox.id);
  return sandbox;
}

/** Processes in the sandbox once killed ones are reaped (docker-init reaps them; under load, not at once). */
async function settledProcessCount(id: string): Promise<number> {
  let count = Infinity;
  for (let i = 0; i < 25 && count >= 16; i++) {
    const result = await client.exec(id, { command: "ls /proc | grep -c '^[0-9]'" });
    count = Number(result.stdout);
    if (count >= 16) await new Promise((r) => setTimeout(r, 200));
  }
  return count;
}

describe('hostile programs', () => {
  it('fork bomb: stopped by the process limit and the timeout, every process killed', async () => {
    const sandbox = await fresh({ pids: 64 });
    const bomb = await client.exec(sandbox.id, { command: 'b() { b | b & }; b', timeoutMs: 3000 });
    expect(bomb.exit).toBeDefined();
    // the shell forks away and exits at once; its children die with its process group
    expect(await settledProcessCount(sandbox.id)).toBeLessThan(16);
    expect(await client.sh(sandbox.id, 'echo alive')).toBe('alive\n');
  });

  it('fork bomb that keeps its shell alive: timed out and killed as a group', async () => {
    const sandbox = await fresh({ pids: 64 });
    const bomb = await client.exec(sandbox.id, { command: 'b() { b | b & }; b; sleep 60', timeoutMs: 2000 });
    expect(bomb.exit).toMatchObject({ timedOut: true });
    expect(await settledProcessCount(sandbox.id)).toBeLessThan(16);
  });

  it('memory hog: killed by the memory limit, reported as OOM, sandbox survives', async () => {
    const sandbox = await fresh({ memoryMb: 128 });
    const hog = await client.exec(sandbox.id, {
      command: "node -e 'const a = []; for (;;) a.push(Buffer.alloc(8 << 20, 1))'",
      timeoutMs: 30_000,
    });
    expect(hog.exit).toMatchObject({ signal: 'SIGKILL', oomKilled: true, timedOut: false });
    expect(await client.sh(sandbox.id, 'echo alive')).toBe('alive\n');
    const metrics = await (await fetch(`${runner.base}/metrics`)).text();
    expect(metrics).toMatch(/samokoder_sandbox_oom_kills_total [1-9]/);
  });

  it('CPU spin past the timeout: killed on time', async () => {
    const sandbox = await fresh();
    const spin = await client.exec(sandbox.id, { command: 'while :; do :; done', timeoutMs: 1500 });
    expect(spin.exit).toMatchObject({ timedOut: true, exitCode: null });
    expect(spin.exit!.durationMs).toBeGreaterThanOrEqual(1500);
    expect(spin.exit!.durationMs).toBeLessThan(4000);
  });

  it('command that ignores SIGTERM: SIGKILL after the grace period', async () => {
    const sandbox = await fresh();
    const stubborn = await client.exec(sandbox.id, {
      command: "trap '' TERM; echo trapped; while :; do sleep 1; done",
      timeoutMs: 1000,
    });
    expect(stubborn.stdout).toBe('trapped\n');
    expect(stubborn.exit).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(stubborn.exit!.durationMs).toBeGreaterThanOrEqual(1500);
    expect(await client.sh(sandbox.id, 'ps -o args | grep -c "[s]leep 1" || true')).toBe('0\n');
  });

  it('output flood: capped, the tail kept, truncation reported', async () => {
    const sandbox = await fresh();
    const flood = await client.exec(sandbox.id, { command: 'seq 1 400000; echo THE-END', timeoutMs: 30_000 });
    expect(flood.exit).toMatchObject({ exitCode: 0, truncated: true });
    expect(flood.stdout.length).toBeLessThanOrEqual(64 * 1024);
    expect(flood.stdout.startsWith('1\n2\n3\n')).toBe(true);
    expect(flood.stdout.endsWith('399999\n400000\nTHE-END\n')).toBe(true);
    const marker = flood.events.find((e) => e.type === 'truncated');
    expect(marker).toMatchObject({ type: 'truncated' });
    const endless = await client.exec(sandbox.id, { command: 'yes flood', timeoutMs: 1500 });
    expect(endless.exit).toMatchObject({ timedOut: true, truncated: true });
    expect(endless.stdout.length).toBeLessThanOrEqual(64 * 1024);
  });

  it('disk fill: the workspace runs out, the host does not', async () => {
    const sandbox = await fresh({ workspaceMb: 32 });
    const fill = await client.exec(sandbox.id, { command: 'dd if=/dev/zero of=big bs=1M count=200' });
    expect(fill.exit?.exitCode).not.toBe(0);
    expect(fill.stderr).toContain('No space left on device');
    expect(await client.sh(sandbox.id, 'rm big && echo freed')).toBe('freed\n');
  });

  it('writes outside the workspace fail', async () => {
    const sandbox = await fresh();
    const attempt = await client.exec(sandbox.id, {
      command:
        'for f in /etc/passwd /usr/local/bin/node /bin/evil /root/x /proc/sys/kernel/hostname; do echo x > $f && echo "wrote $f"; done; true',
    });
    expect(attempt.stdout).toBe('');
    expect(attempt.stderr.split('\n').filter(Boolean)).toHaveLength(5);
  });

  it('cannot read another sandbox files', async () => {
    const victim = runner.client();
    const theirs = await victim.create();
    await victim.request('PUT', `/v1/sandboxes/${theirs.id}/files`, {
      files: [{ path: 'secret.txt', content: 'victim-secret-4711' }],
    });
    const mine = await fresh();
    const search = await client.exec(mine.id, {
      command:
        'grep -rs victim-secret-4711 /workspace /tmp /proc/*/root/workspace 2>/dev/null; ls /proc/*/root 2>/dev/null | head -3; true',
    });
    expect(search.stdout).not.toContain('victim-secret-4711');
    const api = await client.request('GET', `/v1/sandboxes/${theirs.id}/files/content?path=secret.txt`);
    expect(api.status).toBe(404);
    await victim.request('DELETE', `/v1/sandboxes/${theirs.id}`);
  });

  it('a program that kills every process of its user ends only its own sandbox', async () => {
    const doomed = await fresh();
    const other = await client.create();
    const kill = await client.exec(doomed.id, { command: 'kill -9 -1' });
    // the supervisor dies with everything else: the call fails as sandbox_exited, before or while streaming
    if (kill.status === 200)
      expect(kill.events.at(-1)).toMatchObject({ type: 'error', code: 'sandbox_exited' });
    else expect(JSON.parse(kill.stderr)).toMatchObject({ error: { code: 'sandbox_exited' } });
    const after = await client.request<{ error: { code: string } }>(
      'POST',
      `/v1/sandboxes/${doomed.id}/exec`,
      {
        command: 'true',
      },
    );
    expect([409, 404]).toContain(after.status);
    expect(await client.sh(other.id, 'echo unaffected')).toBe('unaffected\n');
    await client.request('DELETE', `/v1/sandboxes/${other.id}`);
  });
});
