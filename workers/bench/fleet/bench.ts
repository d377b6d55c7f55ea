/**
 * The fleet's costs, beside a sandbox's cold start measured in the same run on the same runners:
 * - placement: reading the registry (Redis behind the Upstash bridge) and choosing a runner, as the
 *   project's Durable Object does before its first sandbox; and a first command on a placed project
 *   (placement, create, command) beside the same create and command sent to a runner directly;
 * - loss: the time from a runner's `kill -9` to the project running a command again on another runner
 *   (the loss noticed on a refused call, confirmed, the project placed again, its workspace written in
 *   full, the command run), p50/p99.
 * The placement code is the Worker's own (workers/src/sandbox/fleet/), run here in Node.
 *
 * Usage: node workers/bench/fleet/bench.ts [--samples=N] [--losses=N]   (defaults 20 and 8; loopback only)
 * It starts the `fleet` profile's Redis and bridge and three runners on the local Docker engine.
 */
import { Redis } from '@upstash/redis/cloudflare';
import { SYNC_MARKER } from '../../src/core/agents/app-port.ts';
import { SandboxReset } from '../../src/core/agents/errors.ts';
import type { SandboxFile } from '../../src/core/ports.ts';
import { parseProjectId, type ProjectId } from '../../src/ids.ts';
import { RunnerClient } from '../../src/sandbox/client.ts';
import { cachedDirectory } from '../../src/sandbox/fleet/directory.ts';
import { FleetSandbox, type PlacementRecord } from '../../src/sandbox/fleet/fleet-sandbox.ts';
import { fleetOver } from '../../src/sandbox/fleet/fleet.ts';
import { chooseRunner } from '../../src/sandbox/fleet/placement.ts';
import { readRegistry } from '../../src/sandbox/fleet/registry-directory.ts';
import { startFleet } from '../../fleet/fleet-stack.ts';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const SAMPLES = arg('samples', 20);
const LOSSES = arg('losses', 8);
const log = (line: string) => console.error(`[bench] ${line}`);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

/** Prints a figure's p50/p99 beside its baseline's, with the ratios. */
function report(name: string, values: number[], baselineName: string, baseline: number[]): void {
  const [p50, p99, b50, b99] = [
    percentile(values, 50),
    percentile(values, 99),
    percentile(baseline, 50),
    percentile(baseline, 99),
  ];
  console.log(
    `${name}: p50 ${ms(p50)}, p99 ${ms(p99)}  |  baseline (${baselineName}): p50 ${ms(b50)}, p99 ${ms(b99)}  |  ratio p50 ${(p50 / b50).toFixed(2)}, p99 ${(p99 / b99).toFixed(2)}  (n=${values.length})`,
  );
}

/** A project's placement kept in memory (the Durable Object keeps it in SQLite). */
function memoryStore() {
  let record: PlacementRecord | null = null;
  return {
    get: () => record,
    set: (r: PlacementRecord) => void (record = r),
    clear: () => void (record = null),
  };
}

const projectId = (tag: string): ProjectId => {
  const id = parseProjectId(crypto.randomUUID());
  if (!id) throw new Error(`not a project id (${tag})`);
  return id;
};

/** The workspace a project writes in full into a fresh sandbox (the sync marker says it is whole). */
const WORKSPACE: SandboxFile[] = [
  { path: 'package.json', content: '{"name":"bench","type":"module"}\n' },
  { path: 'index.js', content: 'console.log("running");\n' },
  { path: SYNC_MARKER, content: '{"branch":0,"files":2}\n' },
];

log('starting Redis, the bridge and three runners (fleet profile)...');
const fleet = await startFleet({ count: 3, capacity: 16, withoutWorker: true, log });
try {
  const secret = fleet.stack.config.secrets.runnerSecret;
  const redis = new Redis({
    url: fleet.registry.url,
    token: fleet.registry.token,
    enableAutoPipelining: false,
  });
  const plainFetch: typeof fetch = (input, init) => fetch(input, init);
  const directory = cachedDirectory(() => readRegistry(redis, Date.now()));
  const parts = { redis, directory, registry: true, fetcher: plainFetch };
  const fleetView = fleetOver(parts);
  const signal = () => AbortSignal.timeout(120_000);

  // Baseline: a sandbox's cold start (create, no warm pool) and a first command, straight to a runner.
  const coldStarts: number[] = [];
  const coldFirstCommands: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const runner = fleet.runners[i % fleet.runners.length]!;
    const client = new RunnerClient({ baseUrl: runner.url, secret, projectId: projectId('cold') });
    const started = performance.now();
    const sandbox = await client.createSandbox({});
    coldStarts.push(performance.now() - started);
    await client.writeFiles(
      sandbox.id,
      WORKSPACE.map((f) => ({ path: f.path, content: f.content })),
    );
    await client.exec(sandbox.id, { argv: ['node', 'index.js'] }, () => {}, signal());
    coldFirstCommands.push(performance.now() - started);
    await client.destroySandbox(sandbox.id);
  }

  // Placement: the registry read and the choice, as a project's object makes them (no cache).
  const placements: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    const runners = await directory.runners({ fresh: true });
    if (!chooseRunner(runners, null)) throw new Error('no runner with room');
    placements.push(performance.now() - started);
  }

  // A first command of a new project on the fleet: placement, create, full write, command.
  const placedFirstCommands: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const sandbox = new FleetSandbox({
      fleet: fleetView,
      projectId: projectId('placed'),
      secret,
      store: memoryStore(),
      onQueue: () => {},
    });
    const started = performance.now();
    await sandbox.writeFiles(WORKSPACE);
    await sandbox.exec({ command: 'node index.js' }, () => {}, signal());
    placedFirstCommands.push(performance.now() - started);
    await sandbox.release();
  }

  // Loss: kill -9 the project's runner, then time until a command runs again on another.
  const recoveries: number[] = [];
  for (let i = 0; i < LOSSES; i++) {
    const sandbox = new FleetSandbox({
      fleet: fleetView,
      projectId: projectId('loss'),
      secret,
      store: memoryStore(),
      onQueue: () => {},
    });
    await sandbox.writeFiles(WORKSPACE);
    await sandbox.exec({ command: 'node index.js' }, () => {}, signal());
    const victim = fleet.runners.find((r) => r.id === sandbox.runnerId)!;
    await victim.kill();
    const started = performance.now();
    let interrupted = false;
    try {
      await sandbox.exec({ command: 'node index.js' }, () => {}, signal());
    } catch (err) {
      if (!(err instanceof SandboxReset)) throw err;
      interrupted = true;
      await sandbox.writeFiles(WORKSPACE);
      await sandbox.exec({ command: 'node index.js' }, () => {}, signal());
    }
    recoveries.push(performance.now() - started);
    if (!interrupted || sandbox.runnerId === victim.id) throw new Error('the project did not move');
    await sandbox.release();
    log(`loss ${i + 1}/${LOSSES}: running again on ${sandbox.runnerId} after ${ms(recoveries.at(-1)!)}`);
    await fleet.startRunner(victim.index, 16);
  }

  console.log(
    `\nfleet of ${fleet.runners.length} runners on one Docker engine (loopback; registry in Redis)`,
  );
  report('placement (registry read + choice)', placements, 'sandbox cold start', coldStarts);
  report(
    'first command of a placed project (place + create + write + run)',
    placedFirstCommands,
    'create + write + run on a runner directly',
    coldFirstCommands,
  );
  report(
    'runner loss to running again (kill -9 → command done elsewhere)',
    recoveries,
    'sandbox cold start',
    coldStarts,
  );
  report(
    'runner loss to running again',
    recoveries,
    'create + write + run on a runner directly',
    coldFirstCommands,
  );
} finally {
  await fleet.stop();
}
