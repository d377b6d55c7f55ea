/** The Worker's client for the sandbox-runner. */

/** Resolves when the runner's `/healthz` answers 200. */
export async function pingRunner(baseUrl: string, signal?: AbortSignal): Promise<void> {
  const res = await fetch(new URL('/healthz', baseUrl), signal ? { signal } : {});
  if (!res.ok) throw new Error(`sandbox-runner answered ${res.status}`);
  await res.body?.cancel();
}
