/**
 * Starts the Docker engine (or finds it) and builds the sandbox image, once per run. Fails loudly when
 * Docker is missing: these tests must never pass by skipping. Removes leftover test containers at the end.
 */
import Docker from 'dockerode';
import type { TestProject } from 'vitest/node';
import { buildSandboxImage } from '../../infra/sandbox/build.ts';
import { checkoutTag } from '../../infra/stack/config.ts';
import { ensureDockerEngine } from '../../infra/stack/docker.ts';
import { removeTestNetwork, TEST_NETWORK_PREFIX } from './egress-network.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    sandboxImage: string;
    dockerSocket: string;
  }
}

/** This checkout's test containers, then its test egress networks (which must be empty to go). */
async function removeTestLeftovers(socketPath: string): Promise<void> {
  const docker = new Docker({ socketPath });
  const containers = await docker.listContainers({ all: true, filters: { label: ['samokoder.sandbox=1'] } });
  await Promise.all(
    containers
      .filter((c) => (c.Labels['samokoder.runner'] ?? '').startsWith(`test-${checkoutTag}-`))
      .map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {}),
      ),
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
