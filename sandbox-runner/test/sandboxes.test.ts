import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxInfo } from '../src/contract.ts';
import { parseServerTiming } from '../src/sandbox/create-timing.ts';
import { containerExists, startRunner } from './helpers.ts';
import type { TestRunner } from './helpers.ts';

let runner: TestRunner;
beforeAll(async () => {
  runner = await startRunner({ maxSandboxesPerProject: 2 });
});
afterAll(() => runner.close());

describe('sandbox lifecycle', () => {
  it('answers /healthz with the engine up', async () => {
    const res = await fetch(`${runner.base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, docker: 'up', draining: false });
  });

  it('creates, gets, lists and destroys a sandbox, removing its container', async () => {
    const client = runner.client();
    const created = await client.create({ limits: { memoryMb: 128 } });
    expect(created).toMatchObject({ projectId: client.projectId, status: 'running', network: 'none' });
    expect(created.limits.memoryMb).toBe(128);
    expect(await containerExists(created.id)).toBe(true);

    const got = await client.request<SandboxInfo>('GET', `/v1/sandboxes/${created.id}`);
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(created.id);
    const list = await client.request<{ sandboxes: SandboxInfo[] }>('GET', '/v1/sandboxes');
    expect(list.body.sandboxes.map((s) => s.id)).toEqual([created.id]);

    expect((await client.request('DELETE', `/v1/sandboxes/${created.id}`)).status).toBe(204);
    expect(await containerExists(created.id)).toBe(false);
    expect((await client.request('GET', `/v1/sandboxes/${created.id}`)).status).toBe(404);
  });

  it('says in Server-Timing where the time of a create went', async () => {
    const client = runner.client();
    const res = await fetch(`${runner.base}/v1/sandboxes`, {
      method: 'POST',
      headers: { ...(await client.headers()), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(201);
    const sandbox = (await res.json()) as SandboxInfo;
    const phases = parseServerTiming(res.headers.get('server-timing'));
    for (const phase of ['admission', 'disk', 'engine-create', 'engine-attach', 'engine-start', 'supervisor'])
      expect(phases[phase], phase).toBeGreaterThanOrEqual(0);
    expect(phases['supervisor-boot']).toBeGreaterThan(0); // measured inside the container
    expect(phases.total).toBeGreaterThanOrEqual(phases['engine-start'] ?? Infinity);
    expect((await client.request('DELETE', `/v1/sandboxes/${sandbox.id}`)).status).toBe(204);
  });

  it('refuses limits above the runner maximum and malformed requests', async () => {
    const client = runner.client();
    const tooBig = await client.request<{ error: { code: string } }>('POST', '/v1/sandboxes', {
      limits: { memoryMb: 1_000_000 },
    });
    expect(tooBig.status).toBe(400);
    const unknown = await client.request<{ error: { code: string } }>('POST', '/v1/sandboxes', {
      colour: 'red',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('invalid_request');
    const res = await fetch(`${runner.base}/v1/sandboxes`, {
      method: 'POST',
      headers: { ...(await client.headers()), 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
  });

  it('enforces the per-project maximum', async () => {
    const client = runner.client();
    const first = await client.create();
    const second = await client.create();
    const third = await client.request<{ error: { code: string } }>('POST', '/v1/sandboxes', {});
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('too_many_sandboxes');
    // another project is not affected
    const other = await runner.client().create();
    for (const id of [first.id, second.id]) await client.request('DELETE', `/v1/sandboxes/${id}`);
    await runner.client(other.projectId).request('DELETE', `/v1/sandboxes/${other.id}`);
  });

  it('enforces the runner-wide maximum across projects, and frees a place when one is destroyed', async () => {
    const small = await startRunner({ maxSandboxes: 2, poolSize: 0 });
    try {
      const a = small.client();
      const b = small.client();
      const first = await a.create();
      await b.create();
      const third = await small
        .client()
        .request<{ error: { code: string; message: string } }>('POST', '/v1/sandboxes', {});
      expect(third.status).toBe(429);
      expect(third.body.error).toMatchObject({ code: 'too_many_sandboxes' });
      expect(third.body.error.message).toMatch(/runner is at its sandbox limit/);
      expect((await fetch(`${small.base}/healthz`)).status).toBe(200);
      await a.request('DELETE', `/v1/sandboxes/${first.id}`);
      expect((await small.client().request('POST', '/v1/sandboxes', {})).status).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('answers unknown routes and ids with the error envelope', async () => {
    const client = runner.client();
    const missing = await client.request<{ error: { code: string } }>(
      'GET',
      '/v1/sandboxes/sb_aaaaaaaaaaaaaaaaaaaa',
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('sandbox_not_found');
    const route = await fetch(`${runner.base}/nope`);
    expect(route.status).toBe(404);
    expect(((await route.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
