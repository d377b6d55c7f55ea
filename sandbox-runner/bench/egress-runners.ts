/**
 * Runners for the benchmarks that install packages: each listens on loopback, and their egress
 * sandboxes share one Docker network this run creates, on whose gateway a test registry can listen.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Docker from 'dockerode';
import { buildSandboxImage } from '../../infra/sandbox/build.ts';
import { ensureDockerEngine } from '../../infra/stack/docker.ts';
import { buildApp } from '../src/app.ts';
import { defineConfig } from '../src/config.ts';
import type { SandboxInfo } from '../src/contract.ts';
import { DEFAULT_PACKAGE_ACCESS, type PackageAccess } from '../src/sandbox/package-access.ts';
import { signRunnerToken } from '../src/tokens.ts';

export interface EgressRunners {
  /** Starts a runner with these package-access settings; its base URL. */
  start(access: Partial<PackageAccess>): Promise<string>;
  /** The egress network's gateway (the network is made by a first egress sandbox). */
  gateway(): Promise<string>;
  /** Stops every runner and removes the network. */
  close(): Promise<void>;
}

/** Ensures the engine and the sandbox image, then hands out runners signed with `secret`. */
export async function openEgressRunners(secret: string, log: (line: string) => void): Promise<EgressRunners> {
  const engine = await ensureDockerEngine({ log });
  if (!engine.ok) throw new Error(`no Docker engine: ${engine.reason}`);
  const { socketPath } = engine;
  const docker = new Docker({ socketPath });
  const { image } = await buildSandboxImage({ log, socketPath });
  const network = `samokoder-bench-egress-${randomBytes(4).toString('hex')}`;
  const apps: { close(): Promise<unknown> }[] = [];

  async function start(access: Partial<PackageAccess>): Promise<string> {
    const app = await buildApp(
      defineConfig({
        secret,
        image,
        dockerSocket: socketPath,
        runnerId: `bench-${randomBytes(3).toString('hex')}`,
        logLevel: 'error',
        poolSize: 0,
        egressNetwork: network,
        packageAccess: { ...DEFAULT_PACKAGE_ACCESS, ...access },
      }),
    );
    apps.push(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }

  async function gateway(): Promise<string> {
    const base = await start({});
    const headers = { authorization: `Bearer ${await signRunnerToken(secret, 'bench-probe')}` };
    const created = await fetch(`${base}/v1/sandboxes`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ network: 'egress' }),
    });
    if (!created.ok) throw new Error(`an egress sandbox was refused: ${created.status}`);
    const { id } = (await created.json()) as SandboxInfo;
    await fetch(`${base}/v1/sandboxes/${id}`, { method: 'DELETE', headers });
    const ipam = (await docker.getNetwork(network).inspect()) as { IPAM: { Config: { Gateway: string }[] } };
    return ipam.IPAM.Config[0]!.Gateway;
  }

  async function close(): Promise<void> {
    for (const app of apps) await app.close().catch(() => {});
    await docker
      .getNetwork(network)
      .remove()
      .catch(() => {});
  }

  return { start, gateway, close };
}
