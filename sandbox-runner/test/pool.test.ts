import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, startRunner } from './helpers.ts';
import type { TestRunner } from './helpers.ts';

let runner: TestRunner;
beforeAll(async () => {
  runner = await startRunner({ poolSize: 2 });
  await runner.app.sandboxes.pool.whenFilled();
});
afterAll(() => runner.close());

const poolContainers = async () =>
  (
    await docker.listContainers({
      all: true,
      filters: { label: [`samokoder.runner=${runner.config.runnerId}`] },
    })
  ).length;

describe('warm pool', () => {
  it('fills up at start', async () => {
    expect(runner.app.sandboxes.pool.size).toBe(2);
    expect(await poolContainers()).toBe(2);
    const metrics = await (await fetch(`${runner.base}/metrics`)).text();
    expect(metrics).toContain('samokoder_sandbox_pool_size 2');
  });

  it('hands out a warm container for a default create, then refills', async () => {
    const client = runner.client();
    // How much faster a warm create is belongs to the benchmark (bench/), not to a test on a shared host.
    const sandbox = await client.create();
    expect(sandbox.fromPool).toBe(true);
    expect(await client.sh(sandbox.id, 'echo warm')).toBe('warm\n');
    const cold = await client.create({ limits: { pids: 100 } });
    await client.sh(cold.id, 'echo cold');
    expect(cold.fromPool).toBe(false);
    await client.request('DELETE', `/v1/sandboxes/${cold.id}`);
    await runner.app.sandboxes.pool.whenFilled();
    expect(runner.app.sandboxes.pool.size).toBe(2);
    expect(await poolContainers()).toBe(3);
    await client.request('DELETE', `/v1/sandboxes/${sandbox.id}`);
  });

  it('creates cold when the request differs from the pool shape', async () => {
    const client = runner.client();
    const custom = await client.create({ limits: { memoryMb: 200 } });
    expect(custom.fromPool).toBe(false);
    const egress = await client.create({ network: 'egress' });
    expect(egress.fromPool).toBe(false);
    expect(runner.app.sandboxes.pool.size).toBe(2);
    const env = await client.create({ env: { A: '1' } }); // env is per command: the pool still serves it
    expect(env.fromPool).toBe(true);
    expect(await client.sh(env.id, 'echo $A')).toBe('1\n');
    for (const s of [custom, egress, env]) await client.request('DELETE', `/v1/sandboxes/${s.id}`);
  });

  it('removes its warm containers on close', async () => {
    const other = await startRunner({ poolSize: 1 });
    await other.app.sandboxes.pool.whenFilled();
    const id = other.config.runnerId;
    const count = async () =>
      (await docker.listContainers({ all: true, filters: { label: [`samokoder.runner=${id}`] } })).length;
    expect(await count()).toBe(1);
    await other.close();
    expect(await count()).toBe(0);
  });
});
