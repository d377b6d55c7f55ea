/**
 * Destroys a project's sandbox on the sandbox-runner when the project is deleted. The sandbox adapter
 * records the sandbox it creates (meta key `sandbox`), so the object knows what to clean up.
 */
import { signRunnerToken } from '@samokoder/sandbox-runner/tokens';
import type { Bindings } from '../env.ts';

const TIMEOUT_MS = 10_000;

/** Deletes the sandbox; a sandbox that is already gone counts as deleted. */
export async function destroySandbox(env: Bindings, projectId: string, sandboxId: string): Promise<void> {
  if (!env.SANDBOX_RUNNER_URL) throw new Error('SANDBOX_RUNNER_URL is not configured');
  const token = await signRunnerToken(env.SANDBOX_RUNNER_SECRET, projectId, { ttlSeconds: 60 });
  const url = new URL(`/v1/sandboxes/${encodeURIComponent(sandboxId)}`, env.SANDBOX_RUNNER_URL);
  const res = await fetch(url, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await res.body?.cancel();
  if (!res.ok && res.status !== 404) throw new Error(`the sandbox-runner answered ${res.status}`);
}
