/**
 * Destroys a project's sandboxes on the sandbox-runner when the project is deleted: every sandbox the
 * runner holds for it (listed there, the source of truth: a run that lost its sandbox made another),
 * and with them every preview link into them; and its published app, with its data. In a fleet, on
 * every runner up (a project that moved may have left one behind), and the project leaves the line of
 * projects waiting for a sandbox.
 */
import type { Bindings } from '../env.ts';
import type { ProjectId } from '../ids.ts';
import { RunnerClient } from '../sandbox/client.ts';
import { fleetOf } from '../sandbox/fleet/fleet.ts';

/** Destroys the project's sandboxes and published app on one runner; says how many sandboxes there were. */
async function destroyOn(baseUrl: string, env: Bindings, projectId: ProjectId): Promise<number> {
  const client = new RunnerClient({
    baseUrl,
    secret: env.SANDBOX_RUNNER_SECRET,
    projectId,
    tokenTtlSeconds: 60,
  });
  const sandboxes = await client.listSandboxes();
  await Promise.all([
    ...sandboxes.map((sandbox) => client.destroySandbox(sandbox.id)),
    client.unpublish(true),
  ]);
  return sandboxes.length;
}

/** Destroys them all and says how many there were; throws when a runner cannot be reached. */
export async function destroyProjectSandboxes(env: Bindings, projectId: ProjectId): Promise<number> {
  const fleet = fleetOf(env);
  if (fleet) {
    await fleet.queue.leave(projectId);
    const runners = await fleet.directory.runners({ fresh: true });
    const counts = await Promise.all(runners.map((r) => destroyOn(r.url, env, projectId)));
    return counts.reduce((a, b) => a + b, 0);
  }
  if (!env.SANDBOX_RUNNER_URL) return 0;
  return destroyOn(env.SANDBOX_RUNNER_URL, env, projectId);
}
