/**
 * A Docker engine that accepts connections and never answers (hung, or a stale socket held by a dying
 * process) is reported as down: the health probe answers 503 and creates are refused, instead of
 * both waiting forever on the engine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunner, type TestRunner } from './helpers.ts';

let dir: string;
let engine: Server;
const held: Socket[] = [];
let runner: TestRunner;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samokoder-hung-'));
  const socketPath = join(dir, 'docker.sock');
  // Reads every request and never answers it.
  engine = createServer((socket) => void held.push(socket));
  await new Promise<void>((resolve) => engine.listen(socketPath, resolve));
  runner = await startRunner({ dockerSocket: socketPath });
});
afterAll(async () => {
  await runner.close();
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => engine.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('a runner whose Docker engine never answers', () => {
  it('reports the engine down and refuses creates with 503, without hanging', async () => {
    const res = await fetch(`${runner.base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, docker: 'down' });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(held.length).toBeGreaterThan(0);

    const refused = await runner.client().request<{ error: { code: string } }>('POST', '/v1/sandboxes', {});
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'docker_unavailable' } } });
  });
});
