/**
 * An orchestrator's liveness check of the runner (Docker's HEALTHCHECK, a Kubernetes exec probe):
 * exits 0 when `/healthz` answers 200, or 503 with `draining` (a draining runner is doing its job: it must
 * not be restarted while its commands finish); 1 otherwise. Readiness is `/healthz` itself (200 only).
 *
 *   node sandbox-runner/bin/healthcheck.ts [url]   (default http://127.0.0.1:$SANDBOX_RUNNER_PORT/healthz)
 *
 * It imports nothing: it runs every few seconds, and a slow start on a loaded host must not read as a
 * dead runner (an unhealthy task is replaced).
 */
export {}; // a module: top-level await

const TIMEOUT_MS = 8000;
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.SANDBOX_RUNNER_PORT || '8788'}/healthz`;

try {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  const body = (await res.json()) as { draining?: unknown };
  const alive = res.status === 200 || body.draining === true;
  if (!alive) console.error(`unhealthy: ${res.status}`);
  process.exit(alive ? 0 : 1);
} catch (err) {
  console.error(`unhealthy: ${(err as Error).message}`);
  process.exit(1);
}
