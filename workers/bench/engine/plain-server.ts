/**
 * The engine benchmark's Worker (worker.ts) under plain `workerd serve`: bundled as a deploy bundles it,
 * served by the workerd binary wrangler itself runs, with no `wrangler dev` in front. Why: `wrangler dev`
 * puts a second workerd process (its reload proxy) between every client and the Worker, which relays
 * each WebSocket message once more; production has no such hop, so the live-channel figures are taken
 * without it. The product's wrangler.toml gives the compatibility date and flags (the runtime behaves as
 * deployed: the flags decide, for one, whether the live socket is compressed).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../infra/stack/config.ts';
import { startProcess } from '../../../infra/stack/process.ts';
import { waitUntil } from '../../../infra/stack/wait.ts';
import { bundleWorker, workerdBinary } from '../api/plain-workerd.ts';
import { wranglerCompatibility } from '../api/workerd-config.ts';

const WRANGLER_TOML = join(repoRoot, 'wrangler.toml');
/** The Worker's vars: no database, no runner (only the engine is measured). */
const VARS = { APP_ENV: 'test', DATABASE_URL: '', SANDBOX_RUNNER_URL: '' };

/** A Cap'n Proto text literal: JSON's escapes are Cap'n Proto's for the ASCII these values hold. */
const text = (value: string) => JSON.stringify(value);

function config(address: string, bundle: string, storage: string): string {
  const { date, flags } = wranglerCompatibility(WRANGLER_TOML);
  const vars = Object.entries(VARS)
    .map(([name, value]) => `    (name = ${text(name)}, text = ${text(value)}),`)
    .join('\n');
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "engine", worker = .engine),
    (name = "do-storage", disk = (path = ${text(storage)}, writable = true)),
  ],
  sockets = [(name = "http", address = ${text(address)}, http = (), service = "engine")],
);

const engine :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed ${text(bundle)})],
  compatibilityDate = ${text(date)},
  compatibilityFlags = [${flags.map(text).join(', ')}],
  bindings = [
${vars}
    (name = "PROJECT_OBJECT", durableObjectNamespace = "ProjectObject"),
  ],
  durableObjectNamespaces = [
    (className = "ProjectObject", uniqueKey = "engine-bench-ProjectObject", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "do-storage"),
);
`;
}

/**
 * Bundles worker.ts into `dir` (emptied first) and serves it on 127.0.0.1:`port`; resolves once it
 * answers. With `inspectorPort`, workerd's inspector (for a CPU profile) listens on it.
 */
export async function startPlainEngine(dir: string, port: number, inspectorPort?: number) {
  rmSync(dir, { recursive: true, force: true });
  const storage = join(dir, 'do-storage');
  mkdirSync(storage, { recursive: true });
  const module = bundleWorker(join(dir, 'bundle'), 'workers/bench/engine/worker.ts');
  const file = join(dir, 'config.capnp');
  writeFileSync(file, config(`127.0.0.1:${port}`, `bundle/${module}`, storage));
  const proc = startProcess({
    name: 'engine-bench-workerd',
    command: workerdBinary(),
    args: [
      'serve',
      file,
      '--experimental',
      ...(inspectorPort ? [`--inspector-addr=127.0.0.1:${inspectorPort}`] : []),
    ],
    cwd: dir,
    logFile: join(dir, 'workerd.log'),
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    // The front door answers 404 to anything it does not route: it is up.
    await waitUntil(
      'workerd serve',
      async () => (await fetch(`${base}/ready`, { signal: AbortSignal.timeout(2000) })).status === 404,
      { timeoutMs: 90_000, process: proc },
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  const inspector = inspectorPort ? `127.0.0.1:${inspectorPort}` : undefined;
  return { base, pid: proc.pid, inspector, stop: () => proc.stop() };
}
