/**
 * The runner fleet on a one-node Docker Swarm (infra/fleet/swarm/stack.yml, the runner's image from
 * infra/fleet/image/build.ts): the service comes up and its /healthz answers, a task whose container is
 * killed is replaced (same slot, same runner id), and it scales to three runners with distinct ids that
 * register themselves in the fleet's registry (redis-server behind the Upstash bridge, in a container on
 * the stack's overlay network: ./swarm-stack.ts).
 *
 * The engine enters swarm mode on loopback when it is not in it, and leaves it at the end unless another
 * run still uses it (./swarm-stack.ts). Runners' addresses are on the stack's overlay network:
 * the test asks each one from inside its container.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile, rmdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutTag } from '../../infra/stack/config.ts';
import { waitUntil } from '../../infra/stack/wait.ts';
import { buildRunnerImage } from '../../infra/fleet/image/build.ts';
import { SwarmStack } from './swarm-stack.ts';
import type { RunnerContainer } from './swarm-stack.ts';
import { removeDisks } from '../src/sandbox/workspace-disks.ts';
import { signRunnerToken } from '../src/tokens.ts';
import { inject } from 'vitest';
import { docker } from './helpers.ts';

/** The HS256 secret the stack's runners share with the Worker (this test signs their tokens with it). */
const runnerSecret = randomBytes(24).toString('hex');

const stack = new SwarmStack(
  docker,
  `sk-${checkoutTag}-${randomBytes(3).toString('hex')}`,
  `/var/lib/samokoder/swarm-test/${checkoutTag}`,
);
/**
 * A task's start on this 2-core machine shared by several test runs: container, runner start-up, the
 * first healthchecks (every 10 s).
 */
const START_MS = 240_000;

const healthy = async (count: number): Promise<RunnerContainer[] | undefined> => {
  const containers = await stack.containers();
  const ready = containers.filter((c) => c.health === 'healthy');
  return ready.length === count ? ready : undefined;
};
const waitHealthy = async (count: number): Promise<RunnerContainer[]> => {
  try {
    await waitUntil(`${count} healthy runner(s)`, async () => (await healthy(count)) !== undefined, {
      timeoutMs: START_MS,
      intervalMs: 1000,
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}; tasks:\n${await stack.tasks()}`, { cause: err });
  }
  return (await healthy(count)) ?? [];
};

beforeAll(async () => {
  const { image } = await buildRunnerImage({ socketPath: inject('dockerSocket') });
  await stack.ensureSwarm();
  const registryToken = randomBytes(24).toString('hex');
  await stack.deploy({
    RUNNER_IMAGE: image,
    RUNNER_REPLICAS: '1',
    SANDBOX_POOL_SIZE: '0',
    SANDBOX_SPARE_DISKS: '1', // one disk each, made by the helper: what the last test sees go
    SANDBOX_REGISTRY_URL: stack.registryUrl,
    runner_secret: runnerSecret,
    registry_token: registryToken,
  });
  await stack.startRegistry(image, registryToken);
}, 300_000);

afterAll(async () => {
  await stack.remove();
  const dirs = await readdir(stack.workspaceDir).catch(() => []);
  await Promise.all(dirs.map((dir) => removeDisks(join(stack.workspaceDir, dir))));
  await rmdir(stack.workspaceDir).catch(() => {});
}, 180_000);

describe('the runner fleet on Docker Swarm', () => {
  it('comes up: the task is healthy and its /healthz answers with its runner id', async () => {
    const [runner] = await waitHealthy(1);
    expect(runner?.slot).toBe(1);
    expect(await stack.health(runner?.id ?? '')).toMatchObject({
      status: 200,
      body: { ok: true, draining: false, runnerId: `${stack.service}-1`, commands: 0 },
    });
  }, 300_000);

  it('gives its sandboxes the native supervisor its image carries (no compiler in the image)', async () => {
    const [runner] = await waitHealthy(1);
    const token = await signRunnerToken(runnerSecret, randomUUID());
    const processes = await stack.sandboxRun(runner?.id ?? '', token, 'ps -o comm');
    expect(processes).toContain('supervisor');
    expect(processes).not.toContain('node');
  }, 300_000);

  it('replaces a runner whose container is killed, with the same runner id', async () => {
    const [before] = await waitHealthy(1);
    await docker.getContainer(before?.id ?? '').kill();
    await waitUntil(
      'a new runner container',
      async () => (await stack.containers()).some((c) => c.id !== before?.id && c.health === 'healthy'),
      { timeoutMs: START_MS, intervalMs: 1000 },
    );
    const [after] = await waitHealthy(1);
    expect(after?.id).not.toBe(before?.id);
    expect((await stack.health(after?.id ?? '')).body.runnerId).toBe(`${stack.service}-1`);
  }, 300_000);

  it('scales to three runners with three distinct runner ids, which register themselves', async () => {
    await stack.scale(3);
    const runners = await waitHealthy(3);
    const ids = await Promise.all(runners.map(async (r) => (await stack.health(r.id)).body.runnerId));
    const expected = new Set([1, 2, 3].map((slot) => `${stack.service}-${slot}`));
    expect(new Set(ids)).toEqual(expected);
    // Each announces itself within its 5 s period: the Worker finds the three in its Redis.
    await waitUntil('three runners registered', async () => (await stack.registered()).length === 3, {
      timeoutMs: 30_000,
      intervalMs: 1000,
    });
    const registered = await stack.registered();
    expect(new Set(registered.map((r) => r.id))).toEqual(expected);
    for (const r of registered) {
      // Reached at its task's address on the overlay network, with room, taking sandboxes.
      expect(r.url).toMatch(new RegExp(`^http://${stack.service}\\.\\d\\.[a-z0-9]+:8788$`));
      expect(r).toMatchObject({ draining: false, capacity: expect.any(Number) });
      expect(r.capacity).toBeGreaterThan(0);
    }
  }, 300_000);

  it('leaves no workspace disk attached once the stack is removed (SIGTERM: each runner cleans up)', async () => {
    const images = await imagesUnder(stack.workspaceDir);
    expect(images.length).toBeGreaterThan(0); // the runners' probe and spare disks
    await stack.remove();
    // Seen from here, a device the runner's helper attached reads as /<image name> (another mount namespace).
    const attached = await attachedImageNames();
    expect(images.filter((name) => attached.has(name))).toEqual([]);
  }, 300_000);
});

/** Names of the disk images under each runner's directory of `dir`. */
async function imagesUnder(dir: string): Promise<string[]> {
  const runners = await readdir(dir).catch(() => []);
  const lists = await Promise.all(runners.map((r) => readdir(join(dir, r)).catch(() => [])));
  return lists.flat().filter((name) => name.endsWith('.ext4'));
}

/** The file names loop devices are attached to now. */
async function attachedImageNames(): Promise<Set<string>> {
  const loops = (await readdir('/sys/block')).filter((name) => name.startsWith('loop'));
  const backing = await Promise.all(
    loops.map((loop) => readFile(`/sys/block/${loop}/loop/backing_file`, 'utf8').catch(() => '')),
  );
  return new Set(backing.map((text) => basename(text.trim().replace(/ \(deleted\)$/, ''))));
}
