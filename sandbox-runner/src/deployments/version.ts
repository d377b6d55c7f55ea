/**
 * One version of a published app: the files and start command it was published with, and the
 * container it is installed in. The container is kept while the version may be switched back to, so a
 * rollback only starts the app again (no install); the app process is started and stopped here.
 */
import type { DeploymentVersion, NetworkPolicy, SandboxLimits } from '../contract.ts';
import { RunnerError } from '../errors.ts';
import type { Launched } from '../sandbox/launch.ts';
import type { SupervisorExit } from '../supervisor/session.ts';

/** A file as the supervisor writes it. */
export interface PreparedFile {
  path: string;
  data: string;
  mode?: number;
}

/** What a version is published with. */
export interface VersionSpec {
  command: string;
  port: number;
  install: string | undefined;
  env: Record<string, string>;
  files: PreparedFile[];
  image: string;
  limits: SandboxLimits;
  network: NetworkPolicy;
}

const POLL_MS = 50;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class DeployedVersion {
  readonly version: number;
  readonly spec: VersionSpec;
  readonly createdAt: Date;
  /** The container the version is installed in; null once it is gone (removed, or it died). */
  launched: Launched | null = null;
  /** The app's process while it runs: its channel, and its end. */
  private app: { channel: number; ended: Promise<void> } | null = null;
  /** Channels of apps the runner itself stopped: their exit is no crash. */
  private readonly stopped = new Set<number>();

  /** Files published with it (kept when its files are let go). */
  readonly fileCount: number;

  /** `createdAt`: when it was first published (a restarted runner restores it from disk). */
  constructor(version: number, spec: VersionSpec, createdAt = new Date()) {
    this.version = version;
    this.spec = spec;
    this.createdAt = createdAt;
    this.fileCount = spec.files.length;
  }

  /** Lets go of the files of a version no longer kept (it cannot be started again without them). */
  dropFiles(): void {
    this.spec.files = [];
  }

  get ready(): boolean {
    return this.launched !== null && this.launched.session.alive;
  }

  get running(): boolean {
    return this.app !== null;
  }

  info(): DeploymentVersion {
    return {
      version: this.version,
      command: this.spec.command,
      port: this.spec.port,
      files: this.fileCount,
      createdAt: this.createdAt.toISOString(),
      ready: this.ready,
    };
  }

  private session() {
    if (!this.launched?.session.alive) throw new RunnerError('version_not_ready', 'its container is gone');
    return this.launched.session;
  }

  /** Writes the files and runs the install, its output to `out`; throws `publish_failed` when it fails. */
  async install(out: (chunk: Buffer) => void, timeoutMs: number, killGraceMs: number): Promise<void> {
    const session = this.session();
    await session.request('write', { files: this.spec.files }, 120_000);
    if (!this.spec.install) return;
    const exit = await new Promise<SupervisorExit | null>((resolve, reject) => {
      session
        .spawn(
          { command: this.spec.install, timeoutMs, killGraceMs },
          {
            onOutput: (_stream, chunk) => out(chunk),
            onExit: resolve,
            onLost: () => resolve(null),
          },
        )
        .catch(reject);
    });
    if (exit?.exitCode !== 0) {
      const how = !exit
        ? 'its container stopped'
        : exit.timedOut
          ? `it ran past ${Math.round(timeoutMs / 1000)} s`
          : `it exited with ${exit.exitCode ?? exit.signal}`;
      throw new RunnerError('publish_failed', `The install (${this.spec.install}) failed: ${how}.`);
    }
  }

  /**
   * Starts the app; `onCrash` is called if it ends without the runner stopping it. Resolves once its port
   * answers, or rejects with `publish_failed` when it exits or does not answer within `readyTimeoutMs`.
   */
  async start(
    out: (chunk: Buffer) => void,
    onCrash: (exit: SupervisorExit) => void,
    readyTimeoutMs: number,
  ): Promise<void> {
    const session = this.session();
    let exited: SupervisorExit | null = null;
    // Before the port answers, an exit fails the start; after, it is a crash.
    let live = false;
    let ended!: () => void;
    const run = { channel: -1, ended: new Promise<void>((resolve) => (ended = resolve)) };
    const end = () => {
      if (this.app === run) this.app = null;
      ended();
    };
    run.channel = (
      await session.spawn(
        { command: this.spec.command, env: this.spec.env, stdin: true },
        {
          onOutput: (_stream, chunk) => out(chunk),
          onExit: (exit) => {
            exited = exit;
            end();
            if (!this.stopped.delete(run.channel) && live) onCrash(exit);
          },
          onLost: end,
        },
      )
    ).channel;
    this.app = run;
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (!session.alive) {
        throw new RunnerError('publish_failed', "The app's container stopped before the app answered.");
      }
      const failed = exited as SupervisorExit | null;
      if (failed) {
        throw new RunnerError(
          'publish_failed',
          `The app exited with ${failed.exitCode ?? failed.signal} before it answered on port ${this.spec.port}.`,
        );
      }
      const answered = await session.connect(this.spec.port).then(
        (tunnel) => {
          tunnel.destroy();
          return true;
        },
        () => false,
      );
      if (answered) {
        live = true;
        return;
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new RunnerError(
          'publish_failed',
          `The app did not answer on port ${this.spec.port} within ${Math.round(readyTimeoutMs / 1000)} s.`,
        );
      }
      await sleep(POLL_MS);
    }
  }

  /**
   * Stops the app (every process it started: SIGTERM, then SIGKILL after `graceMs`); its container
   * stays, ready to start it again.
   */
  async stop(graceMs = 2000): Promise<void> {
    const run = this.app;
    const session = this.launched?.session;
    if (!run || !session?.alive) return;
    this.stopped.add(run.channel);
    this.app = null;
    await session.signal(run.channel, 'SIGTERM').catch(() => {});
    const timer = sleep(graceMs).then(() => 'late' as const);
    if ((await Promise.race([run.ended, timer])) === 'late') {
      await session.signal(run.channel, 'SIGKILL').catch(() => {});
      await Promise.race([run.ended, sleep(graceMs)]);
    }
  }
}
