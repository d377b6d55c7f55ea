/**
 * An egress network of a test's own (so whatever listens on its gateway is reached only by this run's
 * sandboxes), made by a runner the way it makes its own, and removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { checkoutTag } from '../../infra/stack/config.ts';
import type { SandboxInfo } from '../src/contract.ts';
import type { Client } from './helpers.ts';

/** Every test egress network's name starts with this: the clean-up removes only this checkout's. */
export const TEST_NETWORK_PREFIX = `samokoder-test-egress-${checkoutTag}-`;

/** A fresh name for a runner's `egressNetwork`. */
export function testNetworkName(): string {
  return `${TEST_NETWORK_PREFIX}${randomBytes(4).toString('hex')}`;
}

/**
 * The host's address on the runner's egress network, which the runner creates for its first egress
 * sandbox: the one address of the host a sandbox can reach.
 */
export async function egressGateway(docker: Docker, client: Client, network: string): Promise<string> {
  const probe: SandboxInfo = await client.create({ network: 'egress' });
  await client.request('DELETE', `/v1/sandboxes/${probe.id}`);
  const info = await docker.getNetwork(network).inspect();
  const ipam = (info as { IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] } }).IPAM?.Config?.[0];
  if (ipam?.Gateway) return ipam.Gateway;
  // Some engines leave Gateway out: it is then the subnet's first address.
  const base = ipam?.Subnet?.split('/')[0];
  if (!base) throw new Error(`network ${network} has no IPv4 subnet`);
  return base.replace(/\.\d+$/, '.1');
}

/** Removes a test network (after its containers are gone); a missing one is fine. */
export async function removeTestNetwork(docker: Docker, name: string): Promise<void> {
  await docker
    .getNetwork(name)
    .remove()
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
}
