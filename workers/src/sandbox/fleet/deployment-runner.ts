/**
 * The runner of a project's published app, in a fleet: the one recorded in the project's object while
 * it serves (a draining runner keeps serving its apps until it exits), else a new placement (least
 * loaded, full of sandboxes or not). A recorded runner found lost means the app must be published again there: `moved` says so.
 */
import type { PlacementRecord } from './fleet-sandbox.ts';
import type { Fleet } from './fleet.ts';
import type { RunnerState } from './directory.ts';

/**
 * A published app is not a sandbox: a runner's capacity counts sandboxes, so any runner that is not
 * draining may take one; the least loaded first.
 */
function leastLoaded(runners: RunnerState[]): RunnerState | null {
  const open = runners.filter((r) => !r.draining);
  open.sort((a, b) => a.sandboxes / a.capacity - b.sandboxes / b.capacity || a.commands - b.commands);
  return open[0] ?? null;
}

/** Where the project's object keeps the record (RPC on its stub). */
export interface DeploymentPlacement {
  deploymentRunner(): Promise<PlacementRecord | null>;
  setDeploymentRunner(record: PlacementRecord): Promise<void>;
}

export type DeploymentTarget =
  { kind: 'none' } | { kind: 'full' } | { kind: 'runner'; url: string; runnerId: string; moved: boolean };

/**
 * The runner to talk to about the published app. `place`: a publish may go to a new runner (a first
 * publish, or one whose runner drains); else only a lost runner is replaced.
 */
export async function deploymentTarget(
  fleet: Fleet,
  placement: DeploymentPlacement,
  place: boolean,
): Promise<DeploymentTarget> {
  const record = await placement.deploymentRunner();
  if (record) {
    const verdict = await fleet.verdict({ id: record.runnerId, url: record.url });
    if (verdict === 'up' || (verdict === 'draining' && !place))
      return { kind: 'runner', url: record.url, runnerId: record.runnerId, moved: false };
  } else if (!place) {
    return { kind: 'none' };
  }
  const chosen = leastLoaded(await fleet.directory.runners({ fresh: true }));
  if (!chosen) return { kind: 'full' };
  await placement.setDeploymentRunner({ runnerId: chosen.id, url: chosen.url, placedAt: Date.now() });
  return { kind: 'runner', url: chosen.url, runnerId: chosen.id, moved: record !== null };
}
