/**
 * The sandbox registry: create (from the warm pool when the request matches its shape, else cold),
 * look up (scoped to the token's project), destroy, run commands, reap idle or dead sandboxes, remove
 * orphans at start, and drain on shutdown without losing a running command's final status.
 */
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { FastifyBaseLogger } from 'fastify';
import { supervisorProgram } from '../supervisor/program.ts';
import type { SupervisorProgram } from '../supervisor/program.ts';
import type { RunnerConfig } from '../config.ts';
import type { CreateSandboxRequest, ExecEvent, ExecRequest, SandboxLimits } from '../contract.ts';
import { RunnerError } from '../errors.ts';
import type { RunnerMetrics } from '../plugins/metrics.ts';
import { CreateTiming } from './create-timing.ts';
import { DeferredStart } from './deferred-start.ts';
import { containerDiskCommand, localDiskCommand } from './disk-command.ts';
import { EgressNetwork } from './egress-network.ts';
import { engineAnswers } from './engine-ping.ts';
import { startExec } from './exec.ts';
import { launchContainer, newSandboxId } from './launch.ts';
import { LaunchAdmission } from './launch-admission.ts';
import { packageAccessEnv, packageAccessFiles, packageAccessSummary } from './package-access.ts';
import type { Launched } from './launch.ts';
import { removeOrphans } from './orphans.ts';
import { WarmPool } from './pool.ts';
import { SANDBOX_USER } from './container-spec.ts';
import { Sandbox } from './sandbox.ts';
import type { RunningExec } from './sandbox.ts';
import { WorkspaceDisks } from './workspace-disks.ts';

/** What the manager is built from. */
export interface ManagerDeps {
  docker: Docker;
  config: RunnerConfig;
  metrics: RunnerMetrics;
  log: FastifyBaseLogger;
}

type DestroyReason = 'api' | 'idle' | 'exited' | 'shutdown';

/** Wait between asks while the engine does not answer (clients are told to retry after a few seconds). */
const ENGINE_RETRY_MS = 2000;
/** Longest wait between start-ups that failed with the engine answering. */
const START_RETRY_MAX_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const sameLimits = (a: SandboxLimits, b: SandboxLimits) =>
  a.memoryMb === b.memoryMb && a.cpus === b.cpus && a.pids === b.pids && a.workspaceMb === b.workspaceMb;

export class SandboxManager {
  private readonly docker: Docker;
  readonly config: RunnerConfig;
  private readonly metrics: RunnerMetrics;
  private readonly log: FastifyBaseLogger;
  private readonly sandboxes = new Map<string, Sandbox>();
  /** Creates in flight, counted against the limits before their container exists. */
  private readonly reserved = new Map<string, number>();
  private reservedTotal = 0;
  private readonly egress: EgressNetwork;
  private reaper: NodeJS.Timeout | undefined;
  readonly disks: WorkspaceDisks;
  readonly pool: WarmPool;
  /** Every container launch (creates, the pool, published apps) takes a slot here. */
  readonly admission: LaunchAdmission;
  /** Refuses new sandboxes: an operator's drain, or shutting down. Existing sandboxes keep working. */
  draining = false;
  /** Shutting down: refuses new commands too. */
  private closing = false;
  private readonly drainingListeners = new Set<(draining: boolean) => void>();
  /** Why sandboxes cannot be created yet; null once the start-up has run. */
  unavailable: string | null = 'the runner is starting';
  private deferredStart: DeferredStart | undefined;

  constructor(deps: ManagerDeps) {
    this.docker = deps.docker;
    this.config = deps.config;
    this.metrics = deps.metrics;
    this.log = deps.log;
    this.egress = new EgressNetwork(deps.docker, this.config.egressNetwork);
    this.admission = new LaunchAdmission(this.config.launchConcurrency);
    const disksDir = join(this.config.workspaceDir, this.config.runnerId);
    const helper = this.config.diskHelperImage;
    this.disks = new WorkspaceDisks(
      disksDir,
      SANDBOX_USER,
      {
        sizeMb: this.config.defaultLimits.workspaceMb,
        count: this.config.spareDisks,
        refillDelayMs: this.config.poolRefillDelayMs,
        idle: () => this.admission.idle(),
      },
      helper ? containerDiskCommand(deps.docker, helper, disksDir, this.config.runnerId) : localDiskCommand,
    );
    this.metrics.poolTarget.set(this.config.poolSize);
    this.metrics.limit.set(this.config.maxSandboxes);
    this.pool = new WarmPool({
      size: this.config.poolSize,
      refillDelayMs: this.config.poolRefillDelayMs,
      // after any burst of creates: the refill never competes with the requests it is there to serve
      launch: async () => {
        await this.admission.idle();
        return this.launch(this.config.image, this.config.defaultLimits, 'none');
      },
      dispose: (warm) => this.removeContainer(warm),
      onSizeChange: (size) => this.metrics.poolSize.set(size),
      onError: (err) => {
        this.metrics.errors.inc({ kind: 'pool' });
        this.log.error({ err }, 'warm pool: could not start a container');
      },
    });
  }

  /**
   * Builds the supervisor, then starts up (below) if the engine answers; any failure then fails the
   * runner's start. Without an engine the runner starts anyway: creates are refused with 503
   * `docker_unavailable` until the engine answers and the start-up has run (deferred-start.ts).
   */
  async start(): Promise<void> {
    await this.supervisor(); // built now, so a broken build fails the start and no create waits for it
    if (await this.engineAnswers()) return this.startUp();
    this.unavailable = 'the Docker engine does not answer';
    this.log.warn(
      { socket: this.config.dockerSocket },
      'no Docker engine answers: sandboxes can be created once it does (start it: node infra/stack/docker.ts)',
    );
    this.deferredStart = new DeferredStart({
      engineAnswers: () => this.engineAnswers(),
      startUp: async () => {
        this.unavailable = 'the runner is starting';
        await this.startUp();
        this.log.info('the Docker engine answers: sandboxes can be created');
      },
      log: this.log,
      retryMs: ENGINE_RETRY_MS,
      maxRetryMs: START_RETRY_MAX_MS,
    });
    this.deferredStart.begin();
  }

  /** The sandboxes' supervisor, as the config chooses (built on first use). */
  private supervisor(): Promise<SupervisorProgram> {
    return supervisorProgram({
      choice: this.config.supervisor,
      prebuilt: this.config.supervisorBinary,
      // Beside the runners' own folders, under a name no runner id can take.
      sharedDir: join(this.config.workspaceDir, '.supervisor'),
      warn: (message) => this.log.warn(message),
    });
  }

  private engineAnswers(): Promise<boolean> {
    return engineAnswers(this.docker);
  }

  /**
   * Removes orphans of this runner id, checks that the default image is there and that workspace disks
   * can be made, starts the pool and the reaper. Safe to run again after it failed: nothing is left
   * running before the last check passes.
   */
  private async startUp(): Promise<void> {
    const containers = await removeOrphans(this.docker, this.config.runnerId);
    try {
      await this.docker.getImage(this.config.image).inspect();
    } catch (err) {
      throw new Error(
        `sandbox image ${this.config.image} is missing: build it with \`node infra/sandbox/build.ts\``,
        { cause: err },
      );
    }
    const disks = await this.disks.start();
    if (containers || disks) {
      this.log.info({ containers, disks }, 'removed orphaned sandbox containers and workspace disks');
    }
    this.log.info(packageAccessSummary(this.config.packageAccess), 'how sandboxes reach package registries');
    this.pool.fill();
    this.reaper = setInterval(() => void this.reap(), this.config.reapIntervalMs);
    this.reaper.unref();
    this.unavailable = null;
  }

  /** Number of sandboxes assigned to projects. */
  get count(): number {
    return this.sandboxes.size;
  }

  /** Number of commands running now. */
  get commands(): number {
    let count = 0;
    for (const sandbox of this.sandboxes.values()) count += sandbox.execs.size;
    return count;
  }

  /** What the fleet registry is told: sandboxes held or being created, and commands running in them. */
  get load(): { sandboxes: number; commands: number } {
    return { sandboxes: this.sandboxes.size + this.reservedTotal, commands: this.commands };
  }

  /**
   * An operator's drain (`true`) or its end (`false`): while draining, creates answer 503
   * `runner_draining` so the Worker places the project elsewhere; running commands and existing
   * sandboxes carry on. A runner shutting down stays draining.
   */
  setDraining(draining: boolean): void {
    if (!draining && this.closing) throw new RunnerError('shutting_down', 'the runner is shutting down');
    if (this.draining === draining) return;
    this.draining = draining;
    this.log.info({ draining }, draining ? 'draining: no new sandboxes' : 'no longer draining');
    for (const listener of this.drainingListeners) listener(draining);
  }

  /** Calls `listener` each time {@link draining} changes (the fleet announcer says so at once); returns its removal. */
  onDrainingChange(listener: (draining: boolean) => void): () => void {
    this.drainingListeners.add(listener);
    return () => this.drainingListeners.delete(listener);
  }

  /**
   * Starts a container with a sandbox's spec, not yet assigned to anyone, once the admission gives it
   * a slot. Published apps (../deployments/) launch theirs here too, with their env and data directory,
   * and the egress network made first when they need it. `timing` collects the phases.
   */
  async launch(
    image: string,
    limits: SandboxLimits,
    network: 'none' | 'egress',
    extra: {
      env?: Record<string, string>;
      dataDir?: { source: string; target: string };
      timing?: CreateTiming;
    } = {},
  ): Promise<Launched> {
    if (network === 'egress') await this.egress.ensure();
    const supervisor = await this.supervisor();
    const timing = extra.timing ?? new CreateTiming();
    const queued = performance.now();
    return this.admission.run(() => {
      timing.record('admission', performance.now() - queued);
      return this.launchNow(image, limits, network, supervisor, extra, timing);
    });
  }

  private launchNow(
    image: string,
    limits: SandboxLimits,
    network: 'none' | 'egress',
    supervisor: SupervisorProgram,
    extra: { env?: Record<string, string>; dataDir?: { source: string; target: string } },
    timing: CreateTiming,
  ): Promise<Launched> {
    return launchContainer(
      this.docker,
      this.disks,
      {
        sandboxId: newSandboxId(),
        runnerId: this.config.runnerId,
        image,
        limits,
        network,
        egressNetwork: this.config.egressNetwork,
        env: { ...packageAccessEnv(this.config.packageAccess, network), ...extra.env },
        dataDir: extra.dataDir,
        readOnlyFiles: packageAccessFiles(this.config.packageAccess),
        supervisor,
      },
      (line) => this.log.debug({ supervisor: line }, 'sandbox supervisor'),
      timing,
    );
  }

  /** Removes the container with its workspace volume, then releases the disk under it. */
  async removeContainer(target: Pick<Launched, 'container' | 'session' | 'disk'>) {
    target.session.close();
    await target.container.remove({ force: true, v: true }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404 && err.statusCode !== 409) {
        this.metrics.errors.inc({ kind: 'docker' });
        this.log.warn({ err }, 'could not remove a sandbox container');
      }
    });
    await this.disks.release(target.disk);
  }

  /** The runner's default limits with `requested` over them; past the runner's maximum is refused. */
  resolveLimits(requested: Partial<SandboxLimits> | undefined): SandboxLimits {
    const limits = { ...this.config.defaultLimits, ...requested };
    for (const key of ['memoryMb', 'cpus', 'pids', 'workspaceMb'] as const) {
      if (limits[key] > this.config.maxLimits[key]) {
        throw new RunnerError(
          'invalid_request',
          `limits.${key} exceeds this runner's maximum ${this.config.maxLimits[key]}`,
        );
      }
    }
    return limits;
  }

  /** Creates a sandbox for `projectId`; throws `too_many_sandboxes` past the per-project or runner limit. */
  async create(projectId: string, req: CreateSandboxRequest): Promise<Sandbox> {
    if (this.draining)
      throw new RunnerError('runner_draining', 'this runner takes no new sandboxes: use another runner');
    const limits = this.resolveLimits(req.limits);
    if (this.unavailable)
      throw new RunnerError('docker_unavailable', `${this.unavailable}: try again shortly`);
    const image = req.image ?? this.config.image;
    const network = req.network ?? 'none';
    const mine = [...this.sandboxes.values()].filter((s) => s.projectId === projectId).length;
    if (mine + (this.reserved.get(projectId) ?? 0) >= this.config.maxSandboxesPerProject) {
      throw new RunnerError(
        'too_many_sandboxes',
        `a project may have ${this.config.maxSandboxesPerProject} sandboxes`,
      );
    }
    if (this.sandboxes.size + this.reservedTotal >= this.config.maxSandboxes) {
      throw new RunnerError('too_many_sandboxes', 'this runner is at its sandbox limit');
    }
    this.reserved.set(projectId, (this.reserved.get(projectId) ?? 0) + 1);
    this.reservedTotal += 1;
    const started = performance.now();
    const timing = new CreateTiming();
    try {
      const poolable =
        image === this.config.image && network === 'none' && sameLimits(limits, this.config.defaultLimits);
      let launched = poolable ? this.pool.take() : undefined;
      const source = launched ? 'pool' : 'cold';
      if (launched) timing.record('pool', performance.now() - started);
      launched ??= await this.launch(image, limits, network, { timing });
      const sandbox = new Sandbox({
        id: launched.sandboxId,
        projectId,
        image,
        network,
        limits,
        env: req.env ?? {},
        fromPool: source === 'pool',
        container: launched.container,
        session: launched.session,
        disk: launched.disk,
        timing,
      });
      this.sandboxes.set(sandbox.id, sandbox);
      sandbox.session.onClose(() => {
        if (!sandbox.destroyed) this.log.warn({ sandbox: sandbox.id }, 'sandbox supervisor exited');
      });
      this.metrics.created.inc({ source });
      this.metrics.createDuration.observe({ source }, (performance.now() - started) / 1000);
      this.metrics.active.set(this.sandboxes.size);
      return sandbox;
    } catch (err) {
      this.metrics.errors.inc({ kind: 'docker' });
      throw err;
    } finally {
      this.reserved.set(projectId, (this.reserved.get(projectId) ?? 1) - 1);
      this.reservedTotal -= 1;
    }
  }

  /** The project's sandbox `id`; another project's sandbox is indistinguishable from a missing one. */
  get(projectId: string, id: string): Sandbox {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox || sandbox.projectId !== projectId) {
      throw new RunnerError('sandbox_not_found', `no sandbox ${id}`);
    }
    sandbox.touch();
    return sandbox;
  }

  /** Like {@link get}, and the sandbox must still be running. */
  running(projectId: string, id: string): Sandbox {
    const sandbox = this.get(projectId, id);
    if (!sandbox.running)
      throw new RunnerError('sandbox_exited', `sandbox ${id} has stopped; create a new one`);
    return sandbox;
  }

  /** Looks a sandbox up by id alone (the preview checks the project from its own token). */
  find(id: string): Sandbox | undefined {
    return this.sandboxes.get(id);
  }

  list(projectId: string): Sandbox[] {
    return [...this.sandboxes.values()].filter((s) => s.projectId === projectId);
  }

  /** Destroys the project's sandbox `id`. */
  async destroy(projectId: string, id: string): Promise<void> {
    await this.remove(this.get(projectId, id), 'api');
  }

  private async remove(sandbox: Sandbox, reason: DestroyReason): Promise<void> {
    if (sandbox.destroyed) return;
    sandbox.destroyed = true;
    this.sandboxes.delete(sandbox.id);
    this.metrics.active.set(this.sandboxes.size);
    this.metrics.destroyed.inc({ reason });
    await this.removeContainer(sandbox);
  }

  /** Runs a command; events go to `emit` as they happen. Rejects before any event on a bad request. */
  async exec(sandbox: Sandbox, req: ExecRequest, emit: (event: ExecEvent) => void): Promise<RunningExec> {
    if (this.closing) throw new RunnerError('shutting_down', 'the runner is shutting down');
    const timeoutMs = req.timeoutMs ?? this.config.execTimeoutMs;
    if (timeoutMs > this.config.maxExecTimeoutMs) {
      throw new RunnerError('invalid_request', `timeoutMs exceeds ${this.config.maxExecTimeoutMs}`);
    }
    const outputLimit = Math.min(
      req.outputLimitBytes ?? this.config.outputLimitBytes,
      this.config.maxOutputLimitBytes,
    );
    const run = await startExec(
      sandbox,
      {
        command: req.command,
        argv: req.argv,
        cwd: req.cwd,
        env: req.env,
        timeoutMs,
        killGraceMs: this.config.killGraceMs,
        outputLimit,
      },
      emit,
      req.stdin === undefined ? undefined : Buffer.from(req.stdin, 'utf8'),
    );
    sandbox.execs.add(run);
    this.metrics.execRunning.inc();
    void run.done.then((exit) => {
      sandbox.execs.delete(run);
      sandbox.touch();
      this.metrics.execRunning.dec();
      if (!exit) {
        this.metrics.execs.inc({ outcome: 'failed' });
        this.metrics.errors.inc({ kind: 'sandbox_exited' });
        return;
      }
      const outcome = exit.timedOut
        ? 'timeout'
        : exit.signal
          ? 'killed'
          : exit.exitCode === 0
            ? 'ok'
            : 'nonzero';
      this.metrics.execs.inc({ outcome });
      this.metrics.execDuration.observe(exit.durationMs / 1000);
      if (exit.timedOut) this.metrics.timeouts.inc();
      if (exit.truncated) this.metrics.truncations.inc();
      if (exit.oomKilled) this.metrics.oomKills.inc();
    });
    return run;
  }

  /** Destroys sandboxes whose supervisor died, and idle ones with no command running. */
  async reap(now = Date.now()): Promise<void> {
    for (const sandbox of [...this.sandboxes.values()]) {
      if (!sandbox.session.alive) await this.remove(sandbox, 'exited');
      else if (sandbox.execs.size === 0 && now - sandbox.lastActiveAt > this.config.idleTimeoutMs) {
        this.log.info({ sandbox: sandbox.id }, 'destroying idle sandbox');
        await this.remove(sandbox, 'idle');
      }
    }
  }

  /**
   * Shutdown, step one: refuse new work, let running commands finish for up to `drainTimeoutMs`, then
   * kill the rest. Killed commands still report their exit (signal SIGKILL) to their clients.
   */
  async drain(): Promise<void> {
    this.closing = true;
    this.setDraining(true);
    const running = () => [...this.sandboxes.values()].flatMap((s) => [...s.execs]);
    const all = (runs: RunningExec[]) => Promise.all(runs.map((r) => r.done));
    const first = running();
    if (first.length) {
      this.log.info({ commands: first.length }, 'draining running commands');
      await Promise.race([all(first), sleep(this.config.drainTimeoutMs)]);
    }
    const left = running();
    if (left.length) {
      this.log.warn({ commands: left.length }, 'killing commands still running after the drain timeout');
      for (const run of left) run.kill('SIGKILL');
      await Promise.race([all(left), sleep(5000)]);
    }
  }

  /** Shutdown, step two: stop the reaper and the pool, remove every container. */
  async close(): Promise<void> {
    this.closing = true;
    this.setDraining(true);
    await this.deferredStart?.stop();
    clearInterval(this.reaper);
    await this.pool.close();
    await Promise.all([...this.sandboxes.values()].map((s) => this.remove(s, 'shutdown')));
    // Never started up: the disks were never touched, and with the engine down the containers of an
    // earlier run may still use theirs; the next start-up removes them in order.
    if (this.unavailable === null) await this.disks.close();
  }
}
