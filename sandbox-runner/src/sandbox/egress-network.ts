/** The network of sandboxes with the `egress` policy: a bridge without inter-container traffic. */
import type Docker from 'dockerode';
import { SANDBOX_LABEL } from '../contract.ts';
import { RunnerError } from '../errors.ts';

/** Creates the network once, on the first sandbox that needs it (and again after a failed try). */
export class EgressNetwork {
  private readonly docker: Docker;
  readonly name: string;
  private ready: Promise<void> | null = null;

  constructor(docker: Docker, name: string) {
    this.docker = docker;
    this.name = name;
  }

  /** Resolves once the network exists; `docker_unavailable` when the engine cannot make it. */
  ensure(): Promise<void> {
    this.ready ??= (async () => {
      const existing = await this.docker.listNetworks({ filters: { name: [this.name] } });
      if (existing.some((n) => n.Name === this.name)) return;
      await this.docker.createNetwork({
        Name: this.name,
        Driver: 'bridge',
        Labels: { [SANDBOX_LABEL]: '1' },
        Options: { 'com.docker.network.bridge.enable_icc': 'false' },
      });
    })().catch((err: unknown) => {
      this.ready = null;
      throw new RunnerError('docker_unavailable', 'could not create the egress network', { cause: err });
    });
    return this.ready;
  }
}
