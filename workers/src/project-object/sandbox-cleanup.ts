/**
 * Destroys a project's sandboxes on the sandbox-runner when the project is deleted: every sandbox the
 * runner holds for it (listed there, the source of truth: a run that lost its sandbox made another),
 * and with them every preview link into them; and its published app, with its data.
 */
import type { Bindings } from '../env.ts';
import type { ProjectId } from '../ids.ts';
import { RunnerClient } from '../sandbox/client.ts';

/** Destroys them all and says how many there were; throws when the runner cannot be reached. */
export async function destroyProjectSandboxes(env: Bindings, projectId: ProjectId): Promise<number> {
  if (!env.SANDBOX_RUNNER_URL) return 0;
  const client = new RunnerClient({
    baseUrl: env.SANDBOX_RUNNER_URL,
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
