/**
 * The project's sandbox on a fleet of runners: the same ports as {@link RunnerSandbox} (which does the
 * work), on the runner the project is placed on. The placement is remembered in the project's storage
 * and kept while that runner serves; the project moves when it is lost, drains or refuses for lack of
 * room, and waits in line when every runner is full.
 *
 * A move makes a fresh sandbox, so it rides on the adapter's existing reset path: the caller is told
 * (`SandboxReset`) and writes every file again from the Durable Object. A command cut by a lost runner
 * says so in its own output (never a silent loss) before the caller runs it again on the new runner.
 */
import type { CreateSandboxRequest } from '@samokoder/sandbox-runner/contract';
import {
  SYNC_MARKER,
  type AppChanges,
  type AppCheck,
  type AppPort,
  type AppRefreshed,
  type AppStart,
  type AppStarted,
} from '../../core/agents/app-port.ts';
import { SandboxReset } from '../../core/agents/errors.ts';
import { EnvironmentFailure } from '../../core/errors.ts';
import type { ExecOutcome, ExecRequest, SandboxFile, SandboxPort } from '../../core/ports.ts';
import type { ProjectId } from '../../ids.ts';
import { log } from '../../platform/logger.ts';
import { RunnerSandbox } from '../adapter.ts';
import { RunnerClient } from '../client.ts';
import type { RunnerState } from './directory.ts';
import type { Fleet } from './fleet.ts';
import { isDraining, isFull, mayBeLost } from './loss.ts';
import { chooseRunner, freeRoom } from './placement.ts';

/** Where the project's sandbox was placed, as its storage remembers it. */
export interface PlacementRecord {
  runnerId: string;
  url: string;
  placedAt: number;
}

/** The project's storage of its placement (one row in the Durable Object's SQLite). */
export interface PlacementStore {
  get(): PlacementRecord | null;
  set(record: PlacementRecord): void;
  clear(): void;
}

export interface FleetSandboxOptions {
  fleet: Fleet;
  projectId: ProjectId;
  /** The HS256 secret shared with the runners. */
  secret: string;
  store: PlacementStore;
  /** Told the project's place in line while it waits (1: next), and null once it has a sandbox. */
  onQueue: (position: number | null) => void;
  /** The `fetch` of the project's runner calls (its outside-calls gate). */
  fetch?: typeof fetch;
  create?: CreateSandboxRequest;
  now?: () => number;
}

/** How often a waiting project looks for room again. */
const QUEUE_POLL_MS = 1_000;
/** How long a project waits in line before the step gives up (and the engine tries it again later). */
const QUEUE_MAX_WAIT_MS = 10 * 60_000;
/** Moves one operation may make before it fails (a fleet losing runners one after the other). */
const MAX_MOVES = 3;
/** A runner found lost is not placed on again by this project for this long. */
const LOST_FOR_MS = 30_000;

/** Why the project leaves its runner. */
type Leaving = 'lost' | 'draining' | 'full';

interface Placed {
  runner: Pick<RunnerState, 'id' | 'url'>;
  sandbox: RunnerSandbox;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FleetSandbox implements SandboxPort, AppPort {
  private readonly opts: FleetSandboxOptions;
  private readonly now: () => number;
  private current: Placed | null = null;
  /** Runners this project found lost or full, until when. */
  private readonly avoid = new Map<string, number>();
  /** One placement at a time (the pipeline and the app's follower share the sandbox). */
  private placing: Promise<Placed> | null = null;
  /** Commands of this project running on its current runner now. */
  private commandsRunning = 0;

  constructor(opts: FleetSandboxOptions) {
    this.opts = opts;
    this.now = opts.now ?? (() => Date.now());
  }

  /** The runner the project is on now (tests and logs). */
  get runnerId(): string | null {
    return this.current?.runner.id ?? this.opts.store.get()?.runnerId ?? null;
  }

  private adapter(runner: Pick<RunnerState, 'id' | 'url'>): Placed {
    const client = new RunnerClient({
      baseUrl: runner.url,
      secret: this.opts.secret,
      projectId: this.opts.projectId,
      ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
    });
    return {
      runner,
      sandbox: new RunnerSandbox({ client, ...(this.opts.create ? { create: this.opts.create } : {}) }),
    };
  }

  /**
   * The placement to use now: the current one while its runner serves (a drain or a loss moves the
   * project here, between operations), else a new one.
   */
  private async placed(): Promise<Placed> {
    const current = this.current;
    if (current) {
      // The directory unreadable (Redis down) is no reason to stop using a runner that serves.
      const runners = await this.opts.fleet.directory.runners().catch(() => null);
      if (!runners) return current;
      const listed = runners.find((r) => r.id === current.runner.id);
      if (listed && !listed.draining) return current;
      const verdict = listed?.draining ? 'draining' : await this.opts.fleet.verdict(current.runner);
      if (verdict === 'up') return current;
      // A draining runner lets running commands finish: leaving now would destroy the sandbox under one
      // (the app's follower works beside the pipeline's command). The next operation after it moves.
      if (verdict === 'draining' && this.commandsRunning > 0) return current;
      this.leave(current, verdict);
    }
    this.placing ??= this.place().finally(() => (this.placing = null));
    return this.placing;
  }

  /** Forgets the placement on a runner the project leaves; a draining runner's sandbox is destroyed. */
  private leave(placed: Placed, why: Leaving): void {
    if (this.current === placed) this.current = null;
    this.opts.store.clear();
    this.opts.fleet.directory.adjust(placed.runner.id, -1);
    if (why !== 'draining') this.avoid.set(placed.runner.id, this.now() + LOST_FOR_MS);
    log.info('project leaves its runner', {
      projectId: this.opts.projectId,
      runnerId: placed.runner.id,
      why,
    });
    if (why === 'draining') {
      // Not waited for: the draining runner frees its room sooner; its reaper would get there anyway.
      void placed.sandbox.release().catch(() => {});
    }
  }

  private avoided(): Set<string> {
    const now = this.now();
    for (const [id, until] of this.avoid) if (until <= now) this.avoid.delete(id);
    return new Set(this.avoid.keys());
  }

  /** Chooses a runner, waiting in line while every runner is full. */
  private async place(): Promise<Placed> {
    const { fleet, projectId } = this.opts;
    const previous = this.opts.store.get();
    const deadline = this.now() + QUEUE_MAX_WAIT_MS;
    let inLine = false;
    let told: number | null = null;
    try {
      for (;;) {
        const runners = await fleet.directory.runners({ fresh: inLine });
        const avoided = this.avoided();
        const usable = runners.filter((r) => !avoided.has(r.id));
        // The runner used before takes the project back even when full: its sandbox may be one of them.
        const back = previous ? usable.find((r) => r.id === previous.runnerId && !r.draining) : undefined;
        let chosen = back ?? null;
        if (!chosen) {
          const free = freeRoom(usable);
          // First come, first placed: a newcomer waits behind those already in line.
          if (!inLine && free > 0 && (await fleet.queue.length()) === 0) {
            chosen = chooseRunner(usable, null);
          } else {
            const position = await fleet.queue.position(projectId, this.now());
            inLine = true;
            if (position <= free) chosen = chooseRunner(usable, null);
            else if (position !== told) {
              told = position;
              this.opts.onQueue(position);
            }
          }
        }
        if (chosen) {
          this.releaseDrained(previous, chosen, runners);
          this.opts.store.set({ runnerId: chosen.id, url: chosen.url, placedAt: this.now() });
          if (!back) fleet.directory.adjust(chosen.id, 1);
          this.current = this.adapter(chosen);
          if (chosen.id !== previous?.runnerId) {
            log.info('project placed', { projectId, runnerId: chosen.id, waited: inLine });
          }
          return this.current;
        }
        if (this.now() > deadline) {
          throw new EnvironmentFailure(
            'sandbox',
            'Every sandbox runner is full: the project waited for a free one and will try again shortly.',
          );
        }
        await sleep(QUEUE_POLL_MS);
      }
    } finally {
      if (inLine) {
        await fleet.queue.leave(projectId).catch(() => {});
        if (told !== null) this.opts.onQueue(null);
      }
    }
  }

  /**
   * A project woken on another instance (its placement only in storage) that leaves a draining runner
   * destroys its sandbox there, as {@link leave} does for the current one.
   */
  private releaseDrained(
    previous: PlacementRecord | null,
    chosen: RunnerState,
    runners: RunnerState[],
  ): void {
    if (!previous || previous.runnerId === chosen.id) return;
    const drained = runners.find((r) => r.id === previous.runnerId && r.draining);
    if (drained)
      void this.adapter(drained)
        .sandbox.release()
        .catch(() => {});
  }

  /** Why `err` from `placed`'s runner makes the project leave it, or null when it stays. */
  private async leaving(placed: Placed, err: unknown): Promise<Leaving | null> {
    if (isDraining(err)) return 'draining';
    if (isFull(err)) return 'full';
    if (!mayBeLost(err)) return null;
    const verdict = await this.opts.fleet.verdict(placed.runner);
    return verdict === 'up' ? null : verdict;
  }

  /**
   * Runs `op` on the placed sandbox. When its runner is lost, drains or is full, the project moves: with
   * `reset`, the caller is told to write everything again (`SandboxReset`); else `op` runs again there.
   */
  private async onRunner<T>(
    op: (sandbox: RunnerSandbox) => Promise<T>,
    opts: { reset: boolean; signal?: AbortSignal; interrupted?: (runnerId: string) => void },
  ): Promise<T> {
    for (let moves = 0; ; moves++) {
      const placed = await this.placed();
      try {
        return await op(placed.sandbox);
      } catch (err) {
        if (opts.signal?.aborted || moves >= MAX_MOVES) throw err;
        const why = await this.leaving(placed, err);
        if (!why) throw err;
        if (why === 'lost') opts.interrupted?.(placed.runner.id);
        this.leave(placed, why);
        if (opts.reset) {
          await this.placed();
          throw new SandboxReset();
        }
      }
    }
  }

  /** Destroys the project's sandbox on the runner it is on now (nothing when it has none). */
  async release(): Promise<void> {
    await this.current?.sandbox.release();
  }

  writeFiles(files: SandboxFile[]): Promise<void> {
    // A full write (it carries the sync marker) is whole on any runner: it simply goes where the project is.
    const full = files.some((f) => f.path === SYNC_MARKER);
    return this.onRunner((s) => s.writeFiles(files), { reset: !full });
  }

  exec(
    request: ExecRequest,
    onOutput: (stream: 'stdout' | 'stderr', data: string) => void,
    signal: AbortSignal,
  ): Promise<ExecOutcome> {
    const run = async (s: RunnerSandbox): Promise<ExecOutcome> => {
      this.commandsRunning++;
      try {
        return await s.exec(request, onOutput, signal);
      } finally {
        this.commandsRunning--;
      }
    };
    return this.onRunner(run, {
      reset: true,
      signal,
      interrupted: (runnerId) =>
        onOutput(
          'stderr',
          `\n[interrupted: the sandbox's runner (${runnerId}) stopped answering while this command ran. ` +
            'The project moves to another runner, its files are written there again, and the command runs again.]\n',
        ),
    });
  }

  start(request: AppStart, signal: AbortSignal): Promise<AppStarted> {
    return this.onRunner((s) => s.start(request, signal), { reset: true, signal });
  }

  check(port: number, signal: AbortSignal): Promise<AppCheck> {
    return this.onRunner((s) => s.check(port, signal), { reset: false, signal });
  }

  /** A fresh preview link, on whichever runner the project is on now (a move starts the app there). */
  openPreview(
    request: AppStart,
    files: () => SandboxFile[],
    install: string | null,
    signal: AbortSignal,
  ): Promise<AppStarted> {
    return this.onRunner((s) => s.openPreview(request, files, install, signal), { reset: false, signal });
  }

  refreshApp(
    request: AppStart & { watches: boolean },
    changes: AppChanges,
    files: () => SandboxFile[],
    install: string | null,
    signal: AbortSignal,
  ): Promise<AppRefreshed> {
    return this.onRunner((s) => s.refreshApp(request, changes, files, install, signal), {
      reset: false,
      signal,
    });
  }
}
