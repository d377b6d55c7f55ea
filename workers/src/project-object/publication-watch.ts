/**
 * A published app follows its runner's loss without waiting for a reader. In a fleet, while the project's
 * app is published on a runner (its placement recorded), the object looks that runner up in the fleet's
 * directory every {@link WATCH_MS} (one directory read, shared for a moment by the isolate's objects);
 * once it is listed no more and its loss is confirmed, the app is published again, from the project's
 * current files, on another runner (deployment-runner.ts chooses it and records it). A draining runner
 * keeps serving its apps until it exits.
 */
import type { Outcome } from '../core/refusal.ts';
import type { Bindings } from '../env.ts';
import type { ProjectId } from '../ids.ts';
import { describeError, log } from '../platform/logger.ts';
import { RunnerClient } from '../sandbox/client.ts';
import { deploymentTarget } from '../sandbox/fleet/deployment-runner.ts';
import type { PlacementStore } from '../sandbox/fleet/fleet-sandbox.ts';
import { fleetOf, hasFleet } from '../sandbox/fleet/fleet.ts';
import type { PublishSource } from './publish-source.ts';
import type { Scheduler } from './scheduler.ts';

/**
 * How often the runner of a published app is looked up. A lost runner's record outlives it by the
 * registry's TTL (15 s), so an app is back within about 45 s; more often would cost every published
 * app more directory reads (Redis commands) for little gain.
 */
export const WATCH_MS = 30_000;

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

  /** Looks again in {@link WATCH_MS} while the app is published on a runner (at wake, after a publish). */
  watch(): void {
    if (this.stopped || !hasFleet(this.deps.env) || !this.deps.placement.get()) return;
    this.deps.scheduler.atLatest('publication', this.deps.now() + WATCH_MS);
  }

  /** The app is no longer published: nothing to watch. */
  forget(): void {
    this.deps.placement.clear();
    this.deps.scheduler.cancel('publication');
  }

  /** The project is being deleted: no more looks (one in flight ends with the closed outside calls). */
  stop(): void {
    this.stopped = true;
  }

  /** The scheduled look (one at a time: a publish elsewhere may take minutes). */
  run(): Promise<void> {
    this.running ??= this.check().finally(() => {
      this.running = null;
      this.watch();
    });
    return this.running;
  }

  private async check(): Promise<void> {
    const { placement, projectId: project } = this.deps;
    const record = placement.get();
    const projectId = project();
    const fleet = fleetOf(this.deps.env, this.deps.fetch);
    if (this.stopped || !record || !projectId || !fleet) return;
    try {
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
        // Not there after all: the next look finds the lost runner again and tries once more.
        if (placement.get()?.runnerId === target.runnerId) placement.set(record);
        throw err;
      }
      log.info('published app moved', { projectId, from: record.runnerId, to: target.runnerId });
    } catch (err) {
      log.warn('published app not moved', { projectId, runnerId: record.runnerId, ...describeError(err) });
    }
  }
}
