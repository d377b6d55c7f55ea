/**
 * A published app follows its runner's loss without waiting for a reader. In a fleet, the project tells
 * the fleet's watch of published apps (sandbox/fleet/published-apps-watch.ts) which runner its app is on;
 * when that watch finds the runner gone from the directory, it hands the app back here, and the object
 * confirms the loss and publishes the app again, from the project's current files, on another runner
 * (deployment-runner.ts chooses it and records it), then tells the watch where it went. A draining
 * runner keeps serving its apps until it exits.
 */
import type { Outcome } from '../core/refusal.ts';
import type { Bindings } from '../env.ts';
import type { ProjectId } from '../ids.ts';
import { describeError, log } from '../platform/logger.ts';
import { RunnerClient } from '../sandbox/client.ts';
import { deploymentTarget } from '../sandbox/fleet/deployment-runner.ts';
import type { PlacementStore } from '../sandbox/fleet/fleet-sandbox.ts';
import { fleetOf, hasFleet } from '../sandbox/fleet/fleet.ts';
import { publishedAppsWatch, WATCH_MS } from '../sandbox/fleet/published-apps-client.ts';
import type { PublishSource } from './publish-source.ts';
import type { Scheduler } from './scheduler.ts';

export interface PublicationWatchDeps {
  env: Bindings;
  /** The project (null until the object knows it). */
  projectId: () => ProjectId | null;
  /** The runner the app is published on (the object's storage). */
  placement: PlacementStore;
  scheduler: Scheduler;
  /** What publishing sends: the current files and how the app starts. */
  source: () => Outcome<PublishSource>;
  /** The `fetch` of the project's outside calls (closed when it is deleted). */
  fetch: typeof fetch;
  now: () => number;
}

export class PublicationWatch {
  private readonly deps: PublicationWatchDeps;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(deps: PublicationWatchDeps) {
    this.deps = deps;
  }

  /** The app was published on a runner, or moved: the fleet's watch is told (soon, on the alarm). */
  watch(): void {
    if (this.stopped || !hasFleet(this.deps.env)) return;
    this.deps.scheduler.atLatest('publication', this.deps.now());
  }

  /** The app is no longer published: nothing to watch. */
  forget(): void {
    this.deps.placement.clear();
    this.watch();
  }

  /** The project is being deleted: the fleet's watch forgets it (no more looks, none in flight). */
  stop(): void {
    this.stopped = true;
    const projectId = this.deps.projectId();
    if (projectId && hasFleet(this.deps.env))
      void publishedAppsWatch(this.deps.env)
        .untrack(projectId)
        .catch(() => {});
  }

  /**
   * The fleet's watch found `runnerId` gone: true when the app is published there, and the object then
   * publishes it again elsewhere (on its alarm, which a failed attempt keeps).
   */
  runnerLost(runnerId: string): boolean {
    if (this.stopped || this.deps.placement.get()?.runnerId !== runnerId) return false;
    this.deps.scheduler.atLatest('publication', this.deps.now());
    return true;
  }

  /** The scheduled work (one at a time: a publish elsewhere may take minutes). */
  run(): Promise<void> {
    this.running ??= this.moveIfLost()
      .then(() => this.report())
      .catch((err: unknown) => {
        // Tried again later; the watch hands the app back again meanwhile if its runner is still gone.
        log.warn('published app not moved, or the watch not told', {
          projectId: this.deps.projectId(),
          runnerId: this.deps.placement.get()?.runnerId,
          ...describeError(err),
        });
        if (!this.stopped) this.deps.scheduler.atLatest('publication', this.deps.now() + WATCH_MS);
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Tells the fleet's watch where the app is now (or that it is not published). */
  private async report(): Promise<void> {
    const projectId = this.deps.projectId();
    if (this.stopped || !projectId) return;
    const record = this.deps.placement.get();
    const watch = publishedAppsWatch(this.deps.env);
    await (record ? watch.track(projectId, record.runnerId) : watch.untrack(projectId));
  }

  /** Publishes the app again on another runner when the one it is on is not listed any more. */
  private async moveIfLost(): Promise<void> {
    const { placement, projectId: project } = this.deps;
    const record = placement.get();
    const projectId = project();
    const fleet = fleetOf(this.deps.env, this.deps.fetch);
    if (this.stopped || !record || !projectId || !fleet) return;
    const runners = await fleet.directory.runners();
    if (runners.some((r) => r.id === record.runnerId)) return;
    const source = this.deps.source();
    if (!source.ok) return;
    const target = await deploymentTarget(
      fleet,
      {
        deploymentRunner: async () => placement.get(),
        setDeploymentRunner: async (next) => placement.set(next),
      },
      false,
    );
    if (target.kind !== 'runner' || !target.moved) return;
    const { files, command, port, install } = source.value;
    const client = new RunnerClient({
      baseUrl: target.url,
      secret: this.deps.env.SANDBOX_RUNNER_SECRET,
      projectId,
      fetch: this.deps.fetch,
    });
    try {
      await client.publish({ files, command, port, network: 'egress', ...(install ? { install } : {}) });
    } catch (err) {
      // Not there after all: the app stays recorded on the lost runner, and is moved on the next try.
      if (placement.get()?.runnerId === target.runnerId) placement.set(record);
      throw err;
    }
    log.info('published app moved', { projectId, from: record.runnerId, to: target.runnerId });
  }
}
