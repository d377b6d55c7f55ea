/**
 * A local platform with a fleet of sandbox runners, for the fleet tests and benchmark: the `fleet`
 * profile's stack (Postgres, Redis behind the Upstash bridge, the LLM fixture, `wrangler dev`) whose
 * Worker places projects on the runners announced in its Redis (`SANDBOX_RUNNER_REGISTRY=redis`), and
 * runner processes started here on one Docker engine, each with its own id and port, announcing
 * themselves to that Redis. A runner can be killed (`kill -9`), drained by an operator while it stays up
 * (`bin/drain.ts`), terminated (SIGTERM: it drains, then exits) or started again.
 */
import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_WORKSPACE_DIR } from '../../sandbox-runner/src/config.ts';
import { DrainResponse, REGISTRY_KEYS, RunnerAnnouncement } from '../../sandbox-runner/src/contract.ts';
import { signRunnerToken } from '../../sandbox-runner/src/tokens.ts';
import { buildSandboxImage } from '../../infra/sandbox/build.ts';
import { checkoutTag } from '../../infra/stack/config.ts';
import { ensureDockerEngine } from '../../infra/stack/docker.ts';
import { startProcess, type ManagedProcess } from '../../infra/stack/process.ts';
import { isRunning } from '../../infra/stack/service.ts';
import { startStack, type Stack } from '../../infra/stack/stack.ts';
import { httpOk, waitUntil } from '../../infra/stack/wait.ts';

export interface FleetRunner {
  index: number;
  id: string;
  url: string;
  process: ManagedProcess;
  /** False once its process has exited (killed, or terminated and drained). */
  running: boolean;
  /** `kill -9` of the runner's process group: no drain, no goodbye to the registry. */
  kill(): Promise<void>;
  /** SIGTERM: the runner drains (no new sandbox, running commands finish), then exits. */
  terminate(): void;
  /**
   * An operator's drain while the runner stays up, as one runs it (`bin/drain.ts --wait`): resolves once
   * no command runs on it, with each state the tool printed (the first: right after the drain).
   */
  drain(): Promise<DrainResponse[]>;
}

export interface Fleet {
  stack: Stack;
  /** The Upstash bridge in front of the stack's Redis, and its token (the registry). */
  registry: { url: string; token: string };
  baseUrl: string;
  llmFixtureUrl: string;
  runners: FleetRunner[];
  /** Starts (or starts again) runner `index` with `capacity` sandboxes and waits until it is announced. */
  startRunner(index: number, capacity: number): Promise<FleetRunner>;
  /** The runners holding a running sandbox of `projectId`, by id. */
  holders(projectId: string): Promise<string[]>;
  /** The ids the Worker's registry lists now. */
  announced(): Promise<string[]>;
  /** The records of the runners the registry lists now (what the Worker places by), by id. */
  records(): Promise<Map<string, RunnerAnnouncement>>;
  /** The HS256 secret the runners share with the Worker (the test signs its own tokens). */
  secret: string;
  stop(): Promise<void>;
}

/** One Redis command through the Upstash bridge. */
async function redisCommand(url: string, token: string, command: string[]): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(command),
  });
  return ((await res.json()) as { result: unknown }).result;
}

/** Removes what this checkout's fleet runners kept of their published apps (deployment-store.ts). */
async function forgetPublishedApps(): Promise<void> {
  const kept = join(DEFAULT_WORKSPACE_DIR, 'published-apps');
  for (const entry of await readdir(kept).catch(() => [] as string[]))
    if (entry.startsWith(`fleet-${checkoutTag}-`))
      await rm(join(kept, entry), { recursive: true, force: true });
}

/** Brings up the stack and `count` runners of `capacity` sandboxes each. */
export async function startFleet(opts: {
  count: number;
  capacity: number;
  log?: (line: string) => void;
  /** Only the runners and Redis (the benchmark drives the placement code itself). */
  withoutWorker?: boolean;
}): Promise<Fleet> {
  const log = opts.log ?? (() => {});
  const stack = await startStack({
    profile: 'fleet',
    withoutRunner: true,
    withoutWorker: opts.withoutWorker ?? false,
    workerVars: { SANDBOX_RUNNER_REGISTRY: 'redis' },
    log,
  });
  const byName = new Map(stack.services.map((s) => [s.name, s]));
  const url = (name: string): string => {
    const service = byName.get(name);
    if (!service || !isRunning(service)) throw new Error(`the fleet stack needs ${name}`);
    return service.url;
  };
  const upstash = url('upstash');
  const llmFixtureUrl = url('llm-fixture');
  if (!opts.withoutWorker) url('worker');
  const token = stack.config.secrets.upstashToken;
  const secret = stack.config.secrets.runnerSecret;
  const engine = await ensureDockerEngine({ log });
  if (!engine.ok) throw new Error(`the fleet tests need Docker: ${engine.reason} (${engine.hint})`);
  const { image } = await buildSandboxImage({ log });

  // A run starts with none of the published apps an earlier, interrupted run of this checkout left on
  // its runners' disks (a runner restores them when it starts again with the same id).
  await forgetPublishedApps();

  const runners: FleetRunner[] = [];
  const run = promisify(execFile);
  const drainTool = join(stack.config.root, 'sandbox-runner/bin/drain.ts');
  /** Runners killed since they last started (their containers are orphans until they start again). */
  const killed = new Set<number>();
  const announced = async (): Promise<string[]> =>
    (await redisCommand(upstash, token, [
      'ZRANGEBYSCORE',
      REGISTRY_KEYS.runners,
      String(Date.now() - 15_000),
      '+inf',
    ])) as string[];

  const startRunner = async (index: number, capacity: number): Promise<FleetRunner> => {
    // Clear of the profile's other ports (the LLM fixture is two above the runner's).
    const port = stack.config.ports.runner + 100 + index;
    const id = `fleet-${checkoutTag}-${index}`;
    const runnerUrl = `http://127.0.0.1:${port}`;
    const proc = startProcess({
      name: `sandbox-runner-${index}`,
      command: process.execPath,
      args: [join(stack.config.root, 'sandbox-runner/src/server.ts')],
      env: {
        ...process.env,
        NODE_ENV: 'development',
        SANDBOX_RUNNER_HOST: '127.0.0.1',
        SANDBOX_RUNNER_PORT: String(port),
        SANDBOX_RUNNER_SECRET: secret,
        SANDBOX_RUNNER_ID: id,
        SANDBOX_RUNNER_PUBLIC_URL: runnerUrl,
        SANDBOX_REGISTRY_URL: upstash,
        SANDBOX_REGISTRY_TOKEN: token,
        SANDBOX_MAX_SANDBOXES: String(capacity),
        SANDBOX_POOL_SIZE: '0',
        SANDBOX_SPARE_DISKS: '1',
        SANDBOX_CHECK_BROWSER: 'none',
        SANDBOX_DRAIN_TIMEOUT_MS: '10000',
        SANDBOX_IMAGE: image,
        DOCKER_SOCKET: engine.socketPath,
      },
      logFile: join(stack.config.stateDir, `logs/sandbox-runner-${index}.log`),
      stateDir: stack.config.stateDir,
    });
    await waitUntil(`sandbox-runner ${index}`, () => httpOk(`${runnerUrl}/healthz`), {
      timeoutMs: 60_000,
      process: proc,
    });
    await waitUntil(`sandbox-runner ${index} announced`, async () => (await announced()).includes(id), {
      timeoutMs: 30_000,
      process: proc,
    });
    const runner: FleetRunner = {
      index,
      id,
      url: runnerUrl,
      process: proc,
      running: true,
      async kill() {
        killed.add(index);
        try {
          process.kill(-proc.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await proc.exited;
      },
      terminate() {
        process.kill(-proc.pid, 'SIGTERM');
      },
      async drain() {
        const { stdout } = await run(process.execPath, [drainTool, runnerUrl, '--wait'], {
          env: { ...process.env, SANDBOX_RUNNER_SECRET: secret },
          timeout: 120_000,
        });
        return stdout
          .split('\n')
          .filter((line) => line.trim().length > 0)
          .map((line) => DrainResponse.parse(JSON.parse(line)));
      },
    };
    void proc.exited.then(() => (runner.running = false));
    runners[index] = runner;
    killed.delete(index);
    return runner;
  };

  try {
    for (let i = 0; i < opts.count; i++) await startRunner(i, opts.capacity);
  } catch (err) {
    for (const r of runners) await r?.process.stop();
    await stack.stop();
    throw err;
  }

  return {
    stack,
    registry: { url: upstash, token },
    baseUrl: stack.baseUrl,
    llmFixtureUrl,
    runners,
    startRunner,
    announced,
    secret,
    async records() {
      const ids = await announced();
      const found = new Map<string, RunnerAnnouncement>();
      if (ids.length === 0) return found;
      const raw = (await redisCommand(upstash, token, [
        'MGET',
        ...ids.map((id) => REGISTRY_KEYS.runner(id)),
      ])) as (string | null)[];
      for (const value of raw) {
        if (value === null) continue;
        const record = RunnerAnnouncement.parse(JSON.parse(value));
        found.set(record.id, record);
      }
      return found;
    },
    async holders(projectId) {
      const token = await signRunnerToken(secret, projectId);
      const found: string[] = [];
      for (const r of runners) {
        if (!r) continue;
        const res = await fetch(`${r.url}/v1/sandboxes`, {
          headers: { authorization: `Bearer ${token}` },
        }).catch(() => null);
        if (!res?.ok) continue;
        const body = (await res.json()) as { sandboxes: { status: string }[] };
        if (body.sandboxes.some((s) => s.status === 'running')) found.push(r.id);
      }
      return found;
    },
    async stop() {
      for (const r of runners) await r?.process.stop();
      // A runner killed without a drain left its containers: started again, it removes its orphans.
      for (const r of [...runners]) {
        if (!r || !killed.has(r.index)) continue;
        await startRunner(r.index, 1).then(
          (again) => again.process.stop(),
          () => {},
        );
      }
      await forgetPublishedApps();
      await stack.stop();
    },
  };
}
