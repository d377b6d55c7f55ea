/** Runner-level lifecycle: orphan removal at start, the idle reaper, and graceful shutdown. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  containerExists,
  diskLeftovers,
  docker,
  loopsUnder,
  readEvents,
  startRunner,
  TEST_RUNNER_PREFIX,
} from './helpers.ts';

describe('runner lifecycle', () => {
  it('removes orphaned containers of its runner id at start, and only those', async () => {
    const runnerId = `${TEST_RUNNER_PREFIX}orphan-${Date.now().toString(36)}`;
    const labels = (runner: string, id: string) => ({
      'samokoder.sandbox': '1',
      'samokoder.runner': runner,
      'samokoder.sandbox-id': id,
    });
    const orphan = await docker.createContainer({
      Image: inject('sandboxImage'),
      Cmd: ['sleep', '300'],
      Labels: labels(runnerId, 'sb_orphanorphanorphan00'),
      HostConfig: { NetworkMode: 'none' },
    });
    const bystander = await docker.createContainer({
      Image: inject('sandboxImage'),
      Cmd: ['sleep', '300'],
      Labels: labels(`${runnerId}-other`, 'sb_bystanderbystander0'),
      HostConfig: { NetworkMode: 'none' },
    });
    await orphan.start();
    const runner = await startRunner({ runnerId });
    try {
      expect(await containerExists('sb_orphanorphanorphan00')).toBe(false);
      expect(await containerExists('sb_bystanderbystander0')).toBe(true);
    } finally {
      await runner.close();
      await bystander.remove({ force: true });
    }
  });

  it('removes the containers, volumes and workspace disks a crashed run of its id left', async () => {
    const runnerId = `${TEST_RUNNER_PREFIX}crash-${Date.now().toString(36)}`;
    const crashed = await startRunner({ runnerId });
    const next = { close: async () => {} };
    try {
      const sandbox = await crashed.client().create();
      const { disk, container } = crashed.app.sandboxes.find(sandbox.id)!;
      // what a dead runner leaves: its attach streams close, the supervisors end, the containers stop
      crashed.app.sandboxes.find(sandbox.id)!.session.close();
      for (let i = 0; i < 100 && (await container.inspect()).State.Running; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await diskLeftovers(sandbox.id, disk.image)).toEqual({ volumes: 1, loops: 1, image: true });

      next.close = (await startRunner({ runnerId })).close;
      expect(await containerExists(sandbox.id)).toBe(false);
      expect(await diskLeftovers(sandbox.id, disk.image)).toEqual({ volumes: 0, loops: 0, image: false });
    } finally {
      await next.close();
      await crashed.close();
    }
  });

  it('keeps spare workspace disks ready, and leaves no disk behind when it closes', async () => {
    const runner = await startRunner({ spareDisks: 2, poolRefillDelayMs: 0 });
    const dir = runner.app.sandboxes.disks.dir;
    try {
      const ready = async () => {
        for (let i = 0; i < 100 && (await loopsUnder(`${dir}/`)) < 2; i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
        return loopsUnder(`${dir}/`);
      };
      expect(await ready()).toBe(2);
      const client = runner.client();
      const sandbox = await client.create();
      expect(await client.sh(sandbox.id, 'df -kP /workspace | tail -1 | cut -d" " -f1')).toContain(dir);
      // the spare it took is replaced
      for (let i = 0; i < 100 && (await loopsUnder(`${dir}/`)) < 3; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await loopsUnder(`${dir}/`)).toBe(3);
    } finally {
      await runner.close();
    }
    expect(await loopsUnder(`${dir}/`)).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it('reaps idle sandboxes, but not while a command runs', async () => {
    const runner = await startRunner({ idleTimeoutMs: 1000, reapIntervalMs: 200 });
    try {
      const client = runner.client();
      const idle = await client.create();
      const busy = await client.create();
      const long = client.exec(busy.id, { command: 'sleep 3; echo finished' });
      await new Promise((r) => setTimeout(r, 2500));
      expect((await client.request('GET', `/v1/sandboxes/${idle.id}`)).status).toBe(404);
      expect(await containerExists(idle.id)).toBe(false);
      expect((await long).stdout).toBe('finished\n');
      const metrics = await (await fetch(`${runner.base}/metrics`)).text();
      expect(metrics).toMatch(/samokoder_sandboxes_destroyed_total\{reason="idle"\} [1-9]/);
    } finally {
      await runner.close();
    }
  });

  it('shuts down gracefully: running commands finish and report their exit, then containers go', async () => {
    const runner = await startRunner({ drainTimeoutMs: 10_000 });
    const client = runner.client();
    const sandbox = await client.create();
    const res = await client.execRaw(sandbox.id, { command: 'echo started; sleep 1.5; echo finished' });
    const events = readEvents(res);
    expect((await events.next()).value).toMatchObject({ type: 'stdout', data: 'started\n' });
    const closing = runner.close();
    // while draining: no new work
    await new Promise((r) => setTimeout(r, 200));
    const refused = await client.request('POST', '/v1/sandboxes', {}).catch(() => ({ status: 503 }));
    expect(refused.status).toBe(503);
    const rest = [];
    for await (const event of events) rest.push(event);
    expect(rest).toEqual([
      { type: 'stdout', data: 'finished\n' },
      expect.objectContaining({ type: 'exit', exitCode: 0 }),
    ]);
    await closing;
    expect(await containerExists(sandbox.id)).toBe(false);
  });

  it('kills commands that outlive the drain timeout, still sending their final status', async () => {
    const runner = await startRunner({ drainTimeoutMs: 500 });
    const client = runner.client();
    const sandbox = await client.create();
    const res = await client.execRaw(sandbox.id, { command: 'echo started; sleep 60' });
    const events = readEvents(res);
    await events.next();
    const closing = runner.close();
    const rest = [];
    for await (const event of events) rest.push(event);
    expect(rest.at(-1)).toMatchObject({ type: 'exit', signal: 'SIGKILL', timedOut: false });
    await closing;
    expect(await containerExists(sandbox.id)).toBe(false);
  });
});
