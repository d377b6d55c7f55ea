/**
 * A runner that starts before its Docker engine (a host reboot, an engine restart) serves at once,
 * refuses creates with 503 until the engine answers, then starts up on its own and creates sandboxes.
 * The engine "comes back" by appearing at the runner's socket path: a link to the real engine's socket.
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HealthResponse } from '../src/contract.ts';
import { startRunner } from './helpers.ts';
import type { TestRunner } from './helpers.ts';

let dir: string;
let runner: TestRunner;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samokoder-engine-'));
  runner = await startRunner({ dockerSocket: join(dir, 'docker.sock') });
});
afterAll(async () => {
  await runner.close();
  await rm(dir, { recursive: true, force: true });
});

async function health(): Promise<{ status: number; retryAfter: string | null; body: HealthResponse }> {
  const res = await fetch(`${runner.base}/healthz`);
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as HealthResponse,
  };
}

describe('a runner started before its Docker engine', () => {
  it('refuses creates with 503 until the engine answers, then starts up and creates sandboxes', async () => {
    const down = await health();
    expect(down).toMatchObject({ status: 503, body: { ok: false, docker: 'down' } });
    expect(Number(down.retryAfter)).toBeGreaterThan(0);
    const client = runner.client();
    const refused = await client.request<{ error: { code: string } }>('POST', '/v1/sandboxes', {});
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'docker_unavailable' } } });

    await symlink(inject('dockerSocket'), join(dir, 'docker.sock'));
    const deadline = Date.now() + 60_000;
    while ((await health()).status !== 200) {
      if (Date.now() > deadline)
        throw new Error(`the runner did not start up: ${JSON.stringify(await health())}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await health()).body).toMatchObject({ ok: true, docker: 'up' });
    const sandbox = await client.create();
    expect(await client.sh(sandbox.id, 'echo back')).toBe('back\n');
  });
});
