/**
 * Test harness: drives a stack of infra/fleet/swarm/stack.yml on this host's engine: join swarm mode on loopback when the engine is not in it (and leave it
 * again only if this process joined and no other run uses it), deploy with secrets of its own, find its
 * runners' containers and ask each its `/healthz` from inside (nothing is published on the host), tear
 * everything down.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import type Docker from 'dockerode';

const run = promisify(execFile);

/** The stack file. */
export const STACK_FILE = join(import.meta.dirname, '..', '..', 'infra', 'fleet', 'swarm', 'stack.yml');
/** Runs using a swarm this module joined register here; the last one out leaves swarm mode. */
const USERS_DIR = '/var/lib/samokoder/swarm-users';
/** The bridge swarm mode makes for tasks' traffic off the overlay; it outlives swarm mode. */
const GATEWAY_BRIDGE = 'docker_gwbridge';

/** `/healthz` of one runner, as its container answers it. */
export interface RunnerHealth {
  status: number;
  body: { ok: boolean; runnerId: string; draining: boolean; capacity: number; commands: number };
}

/** One running task's container. */
export interface RunnerContainer {
  id: string;
  slot: number;
  health: string;
}

/** A deployed stack and the swarm it runs in. */
export class SwarmStack {
  readonly name: string;
  readonly workspaceDir: string;
  private readonly docker: Docker;
  private joined = false;
  private madeGatewayBridge = false;
  private removed = false;

  constructor(docker: Docker, name: string, workspaceDir: string) {
    this.docker = docker;
    this.name = name;
    this.workspaceDir = workspaceDir;
  }

  get service(): string {
    return `${this.name}_runner`;
  }

  /** Enters swarm mode on loopback unless the engine is already in it; registers this stack as a user. */
  async ensureSwarm(): Promise<void> {
    mkdirSync(USERS_DIR, { recursive: true });
    writeFileSync(join(USERS_DIR, this.name), String(process.pid));
    const info = (await this.docker.info()) as { Swarm?: { LocalNodeState?: string } };
    if (info.Swarm?.LocalNodeState === 'active') return;
    const networks = await this.docker.listNetworks({ filters: { name: [GATEWAY_BRIDGE] } });
    this.madeGatewayBridge = !networks.some((n) => n.Name === GATEWAY_BRIDGE);
    await this.docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
    this.joined = true;
  }

  /** Deploys the stack with `env` as its variables (secrets named after the stack). */
  async deploy(env: Record<string, string>): Promise<void> {
    mkdirSync(this.workspaceDir, { recursive: true });
    for (const secret of ['runner_secret', 'registry_token']) {
      await this.docker.createSecret({
        Name: `${this.name}_${secret}`,
        Data: Buffer.from(env[secret] ?? 'unset').toString('base64'),
      });
    }
    await run('docker', ['stack', 'deploy', '--compose-file', STACK_FILE, this.name], {
      env: {
        ...process.env,
        RUNNER_SECRET_NAME: `${this.name}_runner_secret`,
        REGISTRY_TOKEN_SECRET_NAME: `${this.name}_registry_token`,
        SANDBOX_WORKSPACE_DIR: this.workspaceDir,
        ...env,
      },
    });
  }

  async scale(replicas: number): Promise<void> {
    await run('docker', ['service', 'scale', '--detach', `${this.service}=${replicas}`]);
  }

  /** The running containers of the runner service, with their slot and Docker health status. */
  async containers(): Promise<RunnerContainer[]> {
    const list = await this.docker.listContainers({
      filters: { label: [`com.docker.swarm.service.name=${this.service}`], status: ['running'] },
    });
    return Promise.all(
      list.map(async (c) => {
        const inspect = await this.docker.getContainer(c.Id).inspect();
        const slot = Number(/\.(\d+)\./.exec(c.Labels['com.docker.swarm.task.name'] ?? '')?.[1]);
        return { id: c.Id, slot, health: inspect.State.Health?.Status ?? 'none' };
      }),
    );
  }

  /** The service's tasks with their state and error, for a failure's message. */
  async tasks(): Promise<string> {
    const format = '{{.Name}} {{.DesiredState}} {{.CurrentState}} {{.Error}}';
    const { stdout } = await run('docker', ['service', 'ps', '--no-trunc', '--format', format, this.service]);
    return stdout;
  }

  /** The runner's `/healthz`, asked from inside its container (its address is the overlay's). */
  async health(containerId: string): Promise<RunnerHealth> {
    const script =
      "fetch('http://127.0.0.1:8788/healthz').then(async r => console.log(JSON.stringify({status: r.status, body: await r.json()})))";
    const exec = await this.docker.getContainer(containerId).exec({
      Cmd: ['/usr/local/bin/node', '-e', script],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    const out = new PassThrough().on('data', (c: Buffer) => chunks.push(c));
    this.docker.modem.demuxStream(stream, out, new PassThrough());
    await new Promise((resolve) => stream.on('end', resolve));
    return JSON.parse(Buffer.concat(chunks).toString()) as RunnerHealth;
  }

  /** Removes the stack, its runners' sandboxes and disks, its secrets; leaves swarm mode if it joined it alone. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    await run('docker', ['stack', 'rm', this.name]).catch(() => {});
    const gone = async () =>
      (
        await this.docker.listContainers({
          all: true,
          filters: { label: [`com.docker.stack.namespace=${this.name}`] },
        })
      ).length === 0;
    for (let i = 0; i < 240 && !(await gone()); i++) await new Promise((r) => setTimeout(r, 250));
    // What killed runners left (their replacements remove it at start, the last ones may not have).
    const leftovers = await this.docker.listContainers({
      all: true,
      filters: { label: ['samokoder.runner'] },
    });
    await Promise.all(
      leftovers
        .filter((c) => (c.Labels['samokoder.runner'] ?? '').startsWith(`${this.service}-`))
        .map((c) =>
          this.docker
            .getContainer(c.Id)
            .remove({ force: true, v: true })
            .catch(() => {}),
        ),
    );
    for (const secret of ['runner_secret', 'registry_token']) {
      await this.docker
        .getSecret(`${this.name}_${secret}`)
        .remove()
        .catch(() => {});
    }
    rmSync(join(USERS_DIR, this.name), { force: true });
    if (this.joined && readdirSync(USERS_DIR).length === 0) {
      await this.docker.swarmLeave({ force: true });
      if (this.madeGatewayBridge) {
        await this.docker
          .getNetwork(GATEWAY_BRIDGE)
          .remove()
          .catch(() => {});
      }
    }
  }
}
