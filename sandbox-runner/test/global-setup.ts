/**
 * Starts the Docker engine (or finds it) and builds the sandbox image, once per run. Fails loudly when
 * Docker is missing: these tests must never pass by skipping. Removes leftover test containers at the end.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { TestProject } from 'vitest/node';
import { buildSandboxImage } from '../../infra/sandbox/build.ts';
import { checkoutTag } from '../../infra/stack/config.ts';
import { ensureDockerEngine } from '../../infra/stack/docker.ts';
import { DEFAULT_WORKSPACE_DIR } from '../src/config.ts';
import { removeDisks } from '../src/sandbox/workspace-disks.ts';
import { removeTestNetwork, TEST_NETWORK_PREFIX } from './egress-network.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    sandboxImage: string;
    dockerSocket: string;
  }
}

/**
 * This checkout's test containers, their workspace volumes and disks, then its test egress networks
 * (which must be empty to go).
 */
async function removeTestLeftovers(socketPath: string): Promise<void> {
  const docker = new Docker({ socketPath });
  const ours = (labels: Record<string, string> | null) =>
    (labels?.['samokoder.runner'] ?? '').startsWith(`test-${checkoutTag}-`);
  const containers = await docker.listContainers({ all: true, filters: { label: ['samokoder.sandbox=1'] } });
  await Promise.all(
    containers
      .filter((c) => ours(c.Labels))
      .map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => {}),
      ),
  );
  const { Volumes: volumes } = await docker.listVolumes({ filters: { label: ['samokoder.sandbox=1'] } });
  await Promise.all(
    (volumes ?? [])
      .filter((v) => ours(v.Labels))
      .map((v) =>
        docker
          .getVolume(v.Name)
          .remove()
          .catch(() => {}),
      ),
  );
  const runners = await readdir(DEFAULT_WORKSPACE_DIR).catch(() => []);
  await Promise.all(
    runners
      .filter((name) => name.startsWith(`test-${checkoutTag}-`))
      .map((name) => removeDisks(join(DEFAULT_WORKSPACE_DIR, name))),
  );
  const networks = await docker.listNetworks({ filters: { name: [TEST_NETWORK_PREFIX] } });
  await Promise.all(
    networks
      .filter((n) => n.Name.startsWith(TEST_NETWORK_PREFIX))
      .map((n) => removeTestNetwork(docker, n.Name).catch(() => {})),
  );
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => console.log(`[sandbox setup] ${line}`);
  const engine = await ensureDockerEngine({ log });
  if (!engine.ok) {
    throw new Error(
      `The sandbox-runner tests need a Docker engine and none is available.\n${engine.reason}\nhint: ${engine.hint}`,
    );
  }
  const { image, built } = await buildSandboxImage({ log, socketPath: engine.socketPath });
  log(`${built ? 'built' : 'using cached'} image ${image}`);
  await removeTestLeftovers(engine.socketPath);
  project.provide('sandboxImage', image);
  project.provide('dockerSocket', engine.socketPath);
  return () => removeTestLeftovers(engine.socketPath);
}
