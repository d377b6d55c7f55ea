/**
 * Test harness: drives a stack of infra/fleet/swarm/stack.yml on this host's engine: join swarm mode on loopback when the engine is not in it (and leave it
 * again only if this process joined and no other run uses it), deploy with secrets of its own, find its
 * runners' containers and ask each its `/healthz` from inside (nothing is published on the host), run
 * the registry they announce themselves to on the stack's network, tear everything down.
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
/** This repository's infra/ (the Upstash bridge the test registry runs). */
const INFRA_DIR = join(import.meta.dirname, '..', '..', 'infra');
/** The test registry's port on the stack's network. */
const REGISTRY_PORT = 8079;
/** The bridge swarm mode makes for tasks' traffic off the overlay; it outlives swarm mode. */
const GATEWAY_BRIDGE = 'docker_gwbridge';

/** `/healthz` of one runner, as its container answers it. */
export interface RunnerHealth {
  status: number;
  body: { ok: boolean; runnerId: string; draining: boolean; capacity: number; commands: number };
}

/** A runner's record in the registry (the contract's RunnerAnnouncement, the fields the test reads). */
export interface RegisteredRunner {
  id: string;
  url: string;
  capacity: number;
  draining: boolean;
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
    return JSON.parse(await this.node(containerId, script)) as RunnerHealth;
  }

  /**
   * Runs `command` in a new sandbox of the runner in `containerId`, asked from inside its container with
   * `token` (a runner token for some project); the sandbox is removed after. Resolves with its stdout.
   */
  async sandboxRun(containerId: string, token: string, command: string): Promise<string> {
    const script = `(async () => {
      const base = 'http://127.0.0.1:8788/v1/sandboxes';
      const headers = { authorization: 'Bearer ${token}', 'content-type': 'application/json' };
      const created = await fetch(base, { method: 'POST', headers, body: '{}' });
      if (created.status !== 201) throw new Error('create: ' + created.status + ' ' + (await created.text()));
      const { id } = await created.json();
      const exec = await fetch(base + '/' + id + '/exec', { method: 'POST', headers, body: JSON.stringify({ command: ${JSON.stringify(command)} }) });
      const events = (await exec.text()).split('\\n').filter(Boolean).map((line) => JSON.parse(line));
      await fetch(base + '/' + id, { method: 'DELETE', headers });
      console.log(events.filter((e) => e.type === 'stdout').map((e) => e.data).join(''));
    })().catch((err) => console.log('failed: ' + err.message));`;
    return this.node(containerId, script);
  }

  /**
   * Starts the registry the runners announce themselves to, on the stack's overlay network (a task
   * cannot reach the host's loopback): the host's redis-server and this repository's Upstash bridge
   * in one container of `image` (the runner's: it has Node), at {@link registryUrl}. Call it once the
   * stack is deployed (its network exists); the runners announce again every 5 s until it answers.
   */
  async startRegistry(image: string, token: string): Promise<void> {
    const container = await this.docker.createContainer({
      name: this.registryName,
      Image: image,
      Entrypoint: ['/usr/bin/sh', '-c'],
      Cmd: [
        // The image's loader and the host's libraries are the same build (the image is made of host files).
        `LD_LIBRARY_PATH=/host/lib /host/redis-server --bind 127.0.0.1 --port 6379 --save '' & ` +
          'exec /usr/local/bin/node /infra/upstash-bridge/cli.ts',
      ],
      Env: [
        'UPSTASH_BRIDGE_HOST=0.0.0.0',
        `UPSTASH_BRIDGE_PORT=${REGISTRY_PORT}`,
        'REDIS_URL=redis://127.0.0.1:6379',
        `UPSTASH_REDIS_REST_TOKEN=${token}`,
      ],
      HostConfig: {
        NetworkMode: `${this.name}_runners`,
        Binds: [
          '/usr/bin/redis-server:/host/redis-server:ro',
          '/usr/lib/x86_64-linux-gnu:/host/lib:ro',
          `${INFRA_DIR}:/infra:ro`,
        ],
      },
    });
    await container.start();
  }

  /** The registry's address on the stack's network (for the runners' SANDBOX_REGISTRY_URL). */
  get registryUrl(): string {
    return `http://${this.registryName}:${REGISTRY_PORT}`;
  }

  private get registryName(): string {
    return `${this.name}-registry`;
  }

  /** The runners' records in the registry now (asked from inside its container, with its own token). */
  async registered(): Promise<RegisteredRunner[]> {
    const script = `(async () => {
      const ask = async (command) => (await (await fetch('http://127.0.0.1:${REGISTRY_PORT}', {
        method: 'POST',
        headers: { authorization: 'Bearer ' + process.env.UPSTASH_REDIS_REST_TOKEN },
        body: JSON.stringify(command),
      })).json()).result;
      const keys = await ask(['KEYS', 'samokoder:runner:*']);
      console.log(JSON.stringify(keys.length ? (await ask(['MGET', ...keys])).map((v) => JSON.parse(v)) : []));
    })().catch(() => console.log('[]'))`;
    return JSON.parse(await this.node(this.registryName, script)) as RegisteredRunner[];
  }

  /** What a Node script run in `container` prints on its stdout. */
  private async node(container: string, script: string): Promise<string> {
    const exec = await this.docker.getContainer(container).exec({
      Cmd: ['/usr/local/bin/node', '-e', script],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    const out = new PassThrough().on('data', (c: Buffer) => chunks.push(c));
    this.docker.modem.demuxStream(stream, out, new PassThrough());
    await new Promise((resolve) => stream.on('end', resolve));
    return Buffer.concat(chunks).toString();
  }

  /** Removes the stack, its runners' sandboxes and disks, its secrets; leaves swarm mode if it joined it alone. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    // The registry first: the stack's network cannot go while a container is attached to it.
    await this.docker
      .getContainer(this.registryName)
      .remove({ force: true })
      .catch(() => {});
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
