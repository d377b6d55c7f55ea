/**
 * Benchmark of the sandbox-runner against raw Docker, both measured in the same run on this host:
 *
 *   cold create -> first output       vs `docker run --rm IMAGE echo` (CLI)      target: p50 <= 1.1x
 *   the same with no spare workspace disk ready, and making a disk alone  vs the same docker run
 *   warm create (pool) -> first output  target: median <= 60 ms
 *   exec round trip (trivial command) vs `docker exec CONTAINER true` (CLI)   target: <= 0.8x
 *   N concurrent sandboxes + a command vs N concurrent `docker run`     target: p50 <= 1.0x, no error
 *
 * Under the table, where the time of the cold and the concurrent creates goes: each phase of the
 * runner's create (its `Server-Timing` header: admission, disk, engine calls, the supervisor's start),
 * the exec to first output, and what is left for HTTP and the benchmark client. Exits non-zero when a
 * row misses its target.
 *
 * Usage: node sandbox-runner/bench/bench.ts [--samples=N] [--concurrency=50] [--launch-concurrency=N]
 *        [--only=cold,disk,warm,exec,concurrent]
 * Traffic goes only to the runner on 127.0.0.1 and to containers this run creates.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { buildSandboxImage } from '../../infra/sandbox/build.ts';
import { ensureDockerEngine } from '../../infra/stack/docker.ts';
import { buildApp } from '../src/app.ts';
import { DEFAULT_WORKSPACE_DIR, defineConfig } from '../src/config.ts';
import type { RunnerConfig } from '../src/config.ts';
import type { ExecEvent, SandboxInfo } from '../src/contract.ts';
import { parseServerTiming } from '../src/sandbox/create-timing.ts';
import { Breakdown, createSample } from './breakdown.ts';
import { SANDBOX_USER } from '../src/sandbox/container-spec.ts';
import { WorkspaceDisks } from '../src/sandbox/workspace-disks.ts';
import { signRunnerToken } from '../src/tokens.ts';

const arg = (name: string, fallback: number) => {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`));
  return raw ? Number(raw.split('=')[1]) : fallback;
};
const SAMPLES = arg('samples', 15);
const CONCURRENCY = arg('concurrency', 50);
const ONLY = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const runs = (row: string) => !ONLY || ONLY.includes(row);
/** The runner's launch admission for the concurrent row (its default when not given). */
const LAUNCH_CONCURRENCY = arg('launch-concurrency', 0) || undefined;
const SECRET = 'bench-secret-0123456789abcdef';
const BASELINE_LABELS = ['--label', 'samokoder.sandbox=1', '--label', 'samokoder.runner=bench-baseline'];

const log = (line: string) => console.error(`[bench] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
const median = (values: number[]) => percentile(values, 50);

/** Runs a CLI command; resolves with ms until its first stdout byte and until it exits. */
function timeCli(args: string[]): Promise<{ firstOutputMs: number; exitMs: number; code: number | null }> {
  return new Promise((resolve) => {
    const started = performance.now();
    let firstOutputMs = NaN;
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', () => {
      if (Number.isNaN(firstOutputMs)) firstOutputMs = performance.now() - started;
    });
    child.stderr.resume();
    child.on('close', (code) => resolve({ firstOutputMs, exitMs: performance.now() - started, code }));
  });
}

/** A minimal API client that keeps one connection alive (fetch's default agent). */
class Api {
  readonly base: string;
  readonly projectId: string;
  private token = '';
  constructor(base: string, projectId: string) {
    this.base = base;
    this.projectId = projectId;
  }
  async init(): Promise<this> {
    this.token = await signRunnerToken(SECRET, this.projectId, { ttlSeconds: 3600 });
    return this;
  }
  private headers() {
    return { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' };
  }
  /** Creates a sandbox; `phases` is where the runner says the time went (its Server-Timing header). */
  async create(): Promise<SandboxInfo & { phases: Record<string, number> }> {
    const res = await fetch(`${this.base}/v1/sandboxes`, {
      method: 'POST',
      headers: this.headers(),
      body: '{}',
    });
    if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
    const phases = parseServerTiming(res.headers.get('server-timing'));
    return { ...((await res.json()) as SandboxInfo), phases };
  }
  async destroy(id: string): Promise<void> {
    await fetch(`${this.base}/v1/sandboxes/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${this.token}` },
    });
  }
  /** Runs a command; resolves with ms to the first stdout event and to the exit event. */
  async exec(
    id: string,
    body: object,
  ): Promise<{ firstOutputMs: number; exitMs: number; exitCode: number | null }> {
    const started = performance.now();
    const res = await fetch(`${this.base}/v1/sandboxes/${id}/exec`, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify(body),
    });
    if (res.status !== 200 || !res.body) throw new Error(`exec: ${res.status} ${await res.text()}`);
    let firstOutputMs = NaN;
    let exitCode: number | null = null;
    let buffered = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const event = JSON.parse(buffered.slice(0, nl)) as ExecEvent;
        buffered = buffered.slice(nl + 1);
        if (event.type === 'stdout' && Number.isNaN(firstOutputMs))
          firstOutputMs = performance.now() - started;
        if (event.type === 'exit') exitCode = event.exitCode;
        if (event.type === 'error') throw new Error(`exec: ${event.code} ${event.message}`);
      }
    }
    return { firstOutputMs, exitMs: performance.now() - started, exitCode };
  }
}

async function startRunner(image: string, socketPath: string, overrides: Partial<RunnerConfig>) {
  const config = defineConfig({
    secret: SECRET,
    image,
    dockerSocket: socketPath,
    runnerId: `bench-${randomBytes(3).toString('hex')}`,
    logLevel: 'error',
    defaultLimits: { memoryMb: 256, cpus: 1, pids: 128, workspaceMb: 64 },
    poolSize: 0,
    // The sandboxes' supervisor as a runner chooses it (auto: native when it builds), or as set to compare.
    supervisor: (process.env.SANDBOX_SUPERVISOR || 'auto') as RunnerConfig['supervisor'],
    ...overrides,
  });
  const app = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

interface Row {
  name: string;
  runner: number[];
  baselineName: string;
  baseline: number[];
  target: string;
  pass: boolean;
  note?: string;
}

const fmt = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(ms < 100 ? 1 : 0)} ms` : 'n/a');

function printTable(rows: Row[]) {
  const header = [
    'case',
    'runner p50',
    'runner p99',
    'baseline',
    'baseline p50',
    'baseline p99',
    'ratio p50',
    'target',
    'ok',
  ];
  const lines = rows.map((r) => [
    r.name,
    fmt(median(r.runner)),
    fmt(percentile(r.runner, 99)),
    r.baselineName,
    r.baseline.length ? fmt(median(r.baseline)) : '-',
    r.baseline.length ? fmt(percentile(r.baseline, 99)) : '-',
    r.baseline.length ? `${(median(r.runner) / median(r.baseline)).toFixed(2)}x` : '-',
    r.target,
    r.pass ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(line(l));
  for (const r of rows) if (r.note) console.log(`- ${r.name}: ${r.note}`);
}

async function main() {
  const engine = await ensureDockerEngine({ log });
  if (!engine.ok) throw new Error(`${engine.reason}\nhint: ${engine.hint}`);
  const { image } = await buildSandboxImage({ log, socketPath: engine.socketPath });
  const docker = new Docker({ socketPath: engine.socketPath });
  const rows: Row[] = [];
  const dockerRun = ['run', '--rm', '--network', 'none', ...BASELINE_LABELS, image, 'echo', 'hi'];

  const { socketPath } = engine;

  /** Cold creates to first output on a runner with `overrides`, each followed by a docker run. */
  async function coldCreates(overrides: Partial<RunnerConfig>, samples: number) {
    const { app, base } = await startRunner(image, socketPath, overrides);
    const api = await new Api(base, 'bench-cold').init();
    const runner: number[] = [];
    const baseline: number[] = [];
    const breakdown = new Breakdown();
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const sandbox = await api.create();
      const createdMs = performance.now() - started;
      const { firstOutputMs } = await api.exec(sandbox.id, { command: 'echo hi' });
      runner.push(createdMs + firstOutputMs);
      breakdown.add(createSample(sandbox.phases, createdMs, firstOutputMs));
      await api.destroy(sandbox.id);
      baseline.push((await timeCli(dockerRun)).firstOutputMs);
    }
    await app.close();
    return { runner, baseline, breakdown };
  }

  /** The docker runs of row 1, the baseline of the rows that have none of their own. */
  let coldBaseline: number[] = [];

  // 1. cold create -> first output, vs docker run
  if (runs('cold')) {
    const samples = Math.max(3, Math.min(SAMPLES, 7));
    log(`cold create: ${samples} samples each`);
    const { runner, baseline, breakdown } = await coldCreates({}, samples);
    coldBaseline = baseline;
    rows.push({
      name: 'cold create -> first output',
      runner,
      baselineName: 'docker run (CLI)',
      baseline,
      target: 'p50 <= 1.1x',
      pass: median(runner) / median(baseline) <= 1.1,
      note:
        'cold = create + attach + start a container and boot its supervisor, then one exec; docker run only starts `echo`.' +
        `\n  p50 ms by phase: ${breakdown.summary()}`,
    });
  }

  // 1b. the same when no spare workspace disk is ready (a burst, or a size other than the default)
  if (runs('disk')) {
    const samples = Math.max(3, Math.min(SAMPLES, 7));
    log(`cold create without spare disks: ${samples} samples each`);
    const { runner, baseline, breakdown } = await coldCreates({ spareDisks: 0 }, samples);
    rows.push({
      name: 'cold create, disk made on demand',
      runner,
      baselineName: 'docker run (CLI)',
      baseline,
      target: 'none (reported)',
      pass: true,
      note:
        'as above, with no spare workspace disk: mkfs.ext4 and the loop attach run while the engine creates the container' +
        `\n  p50 ms by phase: ${breakdown.summary()}`,
    });
  }

  // 1c. making a workspace disk on its own (mkfs.ext4 + loop attach), vs docker run
  if (runs('disk')) {
    log(`workspace disk: ${SAMPLES} samples`);
    const disks = new WorkspaceDisks(
      join(DEFAULT_WORKSPACE_DIR, `bench-${randomBytes(3).toString('hex')}`),
      SANDBOX_USER,
    );
    const made: number[] = [];
    const released: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      let started = performance.now();
      const disk = await disks.create(`disk-${i}`, i % 2 ? 64 : 1024);
      made.push(performance.now() - started);
      started = performance.now();
      await disks.release(disk);
      released.push(performance.now() - started);
    }
    await disks.close();
    rows.push({
      name: 'workspace disk made on demand',
      runner: made,
      baselineName: 'docker run (CLI), row 1',
      baseline: coldBaseline,
      target: 'none (reported)',
      pass: true,
      note: `64 MB and 1 GB disks alternately; release (part of destroy) p50 ${fmt(median(released))}`,
    });
  }

  // 2. warm create from the pool -> first output
  if (runs('warm')) {
    log(`warm create: ${SAMPLES} samples`);
    const { app, base } = await startRunner(image, engine.socketPath, { poolSize: 2 });
    const api = await new Api(base, 'bench-warm').init();
    const runner: number[] = [];
    await api.exec((await api.create()).id, { command: 'true' }).catch(() => {}); // warm up the client
    for (const s of app.sandboxes.list('bench-warm')) await api.destroy(s.id);
    for (let i = 0; i < SAMPLES; i++) {
      await app.sandboxes.pool.whenFilled();
      await sleep(200); // let the refill's engine calls settle: measure the hand-out, not contention
      const started = performance.now();
      const sandbox = await api.create();
      const createdMs = performance.now() - started;
      const { firstOutputMs } = await api.exec(sandbox.id, { command: 'echo hi' });
      if (!sandbox.fromPool) throw new Error('warm sample was not served from the pool');
      runner.push(createdMs + firstOutputMs);
      await api.destroy(sandbox.id);
    }
    await app.close();
    rows.push({
      name: 'warm create (pool) -> first output',
      runner,
      baselineName: 'docker run (CLI), row above',
      baseline: coldBaseline,
      target: 'p50 <= 60 ms',
      pass: median(runner) <= 60,
    });
  }

  // 3. exec round trip in a running sandbox, vs docker exec into the same container
  if (runs('exec')) {
    const samples = Math.max(SAMPLES, 20);
    log(`exec round trip: ${samples} samples each`);
    const { app, base } = await startRunner(image, engine.socketPath, {});
    const api = await new Api(base, 'bench-exec').init();
    const sandbox = await api.create();
    const container = (
      await docker.listContainers({ filters: { label: [`samokoder.sandbox-id=${sandbox.id}`] } })
    )[0]?.Id;
    if (!container) throw new Error('sandbox container not found');
    for (let i = 0; i < 3; i++) {
      await api.exec(sandbox.id, { argv: ['true'] });
      await timeCli(['exec', container, 'true']);
    }
    const runner: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < samples; i++) {
      runner.push((await api.exec(sandbox.id, { argv: ['true'] })).exitMs);
      baseline.push((await timeCli(['exec', container, 'true'])).exitMs);
    }
    await app.close();
    const ratio = median(runner) / median(baseline);
    rows.push({
      name: 'exec round trip (`true`)',
      runner,
      baselineName: 'docker exec (CLI)',
      baseline,
      target: '<= 0.8x docker exec',
      pass: ratio <= 0.8,
    });
  }

  // 4. N concurrent sandboxes each running a command, vs N concurrent docker run
  if (runs('concurrent')) {
    log(`${CONCURRENCY} concurrent sandboxes`);
    const { app, base } = await startRunner(image, engine.socketPath, {
      maxSandboxes: CONCURRENCY + 5,
      poolSize: 0,
      ...(LAUNCH_CONCURRENCY ? { launchConcurrency: LAUNCH_CONCURRENCY } : {}),
    });
    const apis = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) => new Api(base, `bench-c${i}`).init()),
    );
    let errors = 0;
    const runner: number[] = [];
    const breakdown = new Breakdown();
    const created: { api: Api; id: string }[] = [];
    const wall = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(
      apis.map(async (api, i) => {
        const started = performance.now();
        try {
          const sandbox = await api.create();
          const createdMs = performance.now() - started;
          created.push({ api, id: sandbox.id });
          const result = await api.exec(sandbox.id, { command: `echo sandbox-${i}` });
          if (result.exitCode !== 0) errors += 1;
          runner.push(performance.now() - started);
          breakdown.add(createSample(sandbox.phases, createdMs, result.firstOutputMs));
        } catch (err) {
          errors += 1;
          log(`concurrent sandbox ${i}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
    const runnerWall = performance.now() - wall;
    const { user, system } = process.cpuUsage(cpu);
    await Promise.all(created.map(({ api, id }) => api.destroy(id)));
    await app.close();

    let baselineErrors = 0;
    const baseline: number[] = [];
    const baseWall = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const result = await timeCli(dockerRun);
        if (result.code !== 0 || Number.isNaN(result.firstOutputMs)) baselineErrors += 1;
        else baseline.push(result.firstOutputMs);
      }),
    );
    const baselineWall = performance.now() - baseWall;
    rows.push({
      name: `${CONCURRENCY} concurrent sandboxes + command`,
      runner,
      baselineName: `${CONCURRENCY} x docker run (CLI)`,
      baseline,
      target: 'p50 <= 1.0x, no error',
      pass: errors === 0 && median(runner) / median(baseline) <= 1.0,
      note:
        `runner: ${errors} errors, all done in ${fmt(runnerWall)}; docker run: ${baselineErrors} errors, all done in ${fmt(baselineWall)}` +
        `\n  p50 ms by phase: ${breakdown.summary()}` +
        `\n  CPU of the runner and its clients (one process): ${fmt((user + system) / 1000)}` +
        `; launches at once: ${LAUNCH_CONCURRENCY ?? 'default'}`,
    });
  }

  // anything the baseline left behind (an interrupted docker run)
  for (const c of await docker.listContainers({
    all: true,
    filters: { label: ['samokoder.runner=bench-baseline'] },
  })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  }

  console.log(`\nsandbox-runner benchmark (${new Date().toISOString()}, ${image})\n`);
  printTable(rows);
  if (rows.some((r) => !r.pass)) process.exitCode = 1;
}

await main();
