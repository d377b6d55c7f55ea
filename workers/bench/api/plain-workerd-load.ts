/**
 * Our Worker's memory under plain `workerd serve` beside the same Worker under `wrangler dev`, in one
 * run: `node workers/bench/api/plain-workerd-load.ts` (loopback only, about 15 minutes).
 *
 * It starts the test profile's stack (its Worker is the test Worker: the product's plus the scripted
 * pipeline the live viewers follow), like the load benchmark otherwise: a Postgres cluster of its own
 * when the machine has the server binaries, else the embedded PGlite; rate limits raised; wrangler dev.
 * Then the same Worker entry, bundled as a deploy bundles it, under plain workerd beside it
 * (plain-workerd.ts), on the same Postgres, Redis bridge and LLM fixture with the same vars. Both get the same load, round by round, interleaved so both see the same
 * machine: LOAD_LOOPS request loops (the load benchmark's API mix) and liveness probes for LOAD_SECONDS,
 * round 1 beside LOAD_VIEWERS live viewers, each round followed by LOAD_AFTER_SECONDS of rest. Then the
 * controls, CONTROL_ROUNDS times each: loops of `GET /api/health/live` (none of our I/O) and of
 * `GET /favicon.svg` (none of our code). Per round it prints RSS before, at peak and after the rest,
 * and the 1-minute load average, so a runtime that keeps memory as a high-water mark (later rounds add
 * little) can be told from one that keeps memory per request (every round adds about the same).
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { isRunning } from '../../../infra/stack/service.ts';
import { sleep } from '../../../infra/stack/process.ts';
import { livenessLoop, requestLoop, type LoadUser, type Sample } from './load-traffic.ts';
import { eventsLost, openViewers, seedUsers, startLoadStack, type LiveProject } from './load-setup.ts';
import { keptPerRequestKb, rssControl, watchRss, type RssPhase } from './load-memory.ts';
import { plainWorkerdRss, workerdRss, type WorkerdRss } from './workerd-memory.ts';
import { readEnvFile, startPlainWorkerd } from './plain-workerd.ts';
import { systemPostgres, type BenchDatabase } from './system-postgres.ts';

const LOOPS = Number(process.env.LOAD_LOOPS ?? 200);
const VIEWERS = Number(process.env.LOAD_VIEWERS ?? 50);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const AFTER_SECONDS = Number(process.env.LOAD_AFTER_SECONDS ?? 60);
const ROUNDS = Number(process.env.LOAD_ROUNDS ?? 3);
const CONTROL_SECONDS = Number(process.env.CONTROL_SECONDS ?? 10);
const CONTROL_ROUNDS = Number(process.env.CONTROL_ROUNDS ?? 2);
/** Request loops share users (4 loops each), as in the load benchmark. */
const USERS = Math.max(1, Math.ceil(LOOPS / 4));
const PROBES = 4;
const OFFSET = Number(process.env.SAMOKODER_PORT_OFFSET ?? 0);
/** Plain workerd's port: one the test profile leaves free (its worker is 18787, runner 18788, LLM 18790). */
const PLAIN_PORT = 18789 + OFFSET;
/** The entry the test profile's wrangler dev runs (infra/stack/worker.ts). */
const TEST_WORKER = 'workers/src/testing/worker.ts';
/** The benchmark's own Postgres: a port no profile uses, below the kernel's ephemeral range, shifted like the others. */
const BENCH_POSTGRES_PORT = 24433 + OFFSET;
const CONTROLS: [string, string][] = [
  ['GET /api/health/live', '/api/health/live'],
  ['GET /favicon.svg', '/favicon.svg'],
];

/** One Worker under test: where it answers and how its RSS is read. */
interface Target {
  label: string;
  base: string;
  rss: () => WorkerdRss;
  users: LoadUser[];
}

/** One phase's figures: its RSS, its answers, and the machine's load average through it. */
interface Phase {
  target: string;
  what: string;
  rss: RssPhase;
  samples: Sample[];
  /** 1-minute load average: highest seen during the phase, and at its end. */
  load: { peak: number; end: number };
}

function watchLoad(): () => { peak: number; end: number } {
  let peak = loadavg()[0]!;
  const timer = setInterval(() => (peak = Math.max(peak, loadavg()[0]!)), 1000);
  return () => {
    clearInterval(timer);
    return { peak, end: loadavg()[0]! };
  };
}

async function round(target: Target, n: number): Promise<Phase> {
  let live: LiveProject[] = [];
  if (n === 1 && VIEWERS > 0) {
    console.log(`  ${target.label}: opening ${VIEWERS} viewers...`);
    live = await openViewers(target.base, target.users, VIEWERS, SECONDS);
  }
  console.log(
    `  ${target.label}, round ${n}: ${LOOPS} loops${live.length ? ` + ${VIEWERS} viewers` : ''} for ${SECONDS} s, ${AFTER_SECONDS} s rest...`,
  );
  const watch = watchRss(target.rss);
  const load = watchLoad();
  for (const project of live) project.viewers[0]?.send({ type: 'control', action: 'start' });
  const deadline = Date.now() + SECONDS * 1000;
  const samples: Sample[] = [];
  const liveness: number[] = [];
  await Promise.all([
    ...Array.from({ length: LOOPS }, (_, i) =>
      requestLoop(target.base, target.users[i % target.users.length]!, deadline, samples),
    ),
    ...Array.from({ length: PROBES }, () => livenessLoop(target.base, deadline, liveness)),
  ]);
  const loadEnded = Date.now();
  const loadFigures = load();
  if (live.length) {
    const { events, lost, dropped } = await eventsLost(target.base, live);
    console.log(`    viewers: ${events} events, ${lost} missed, ${dropped} dropped early`);
  }
  await sleep(Math.max(0, loadEnded + AFTER_SECONDS * 1000 - Date.now()));
  const requests = samples.length + liveness.length;
  return { target: target.label, what: `round ${n}`, rss: watch.end(requests), samples, load: loadFigures };
}

async function control(target: Target, what: string, path: string): Promise<Phase> {
  console.log(`  ${target.label}: ${LOOPS} loops of GET ${path} for ${CONTROL_SECONDS} s...`);
  const load = watchLoad();
  const rss = await rssControl(target.rss, target.base, path, LOOPS, CONTROL_SECONDS);
  return { target: target.label, what, rss, samples: [], load: load() };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const signed = (n: number, digits = 0) => `${n >= 0 ? '+' : ''}${fmt(n, digits)}`;

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function printTable(phases: Phase[]): void {
  const cols = [
    ['phase', 24],
    ['target', 14],
    ['requests', 9],
    ['5xx/none', 9],
    ['p50/p99 ms', 12],
    ['runtime RSS MB before → peak → after', 38],
    ['kept', 7],
    ['KB/req', 7],
    ['+proxy MB', 10],
    ['load avg', 10],
  ] as const;
  const line = (cells: string[]) => '  ' + cells.map((c, i) => c.padEnd(cols[i]![1])).join(' ');
  console.log('\n' + line(cols.map(([name]) => name)));
  for (const p of phases) {
    const { before, peak, after } = p.rss;
    const ms = p.samples.map((s) => s.ms);
    const bad = p.samples.filter((s) => s.status >= 500).length;
    const none = p.samples.filter((s) => s.status === 0).length;
    console.log(
      line([
        p.what,
        p.target,
        fmt(p.rss.requests),
        p.samples.length ? `${bad}/${none}` : '-',
        p.samples.length ? `${fmt(percentile(ms, 50))}/${fmt(percentile(ms, 99))}` : '-',
        `${fmt(before.runtime)} → ${fmt(peak.runtime)} → ${fmt(after.runtime)}`,
        signed(after.runtime - before.runtime),
        fmt(keptPerRequestKb(p.rss, 'runtime'), 1),
        p.rss.before.proxy ? `${fmt(before.proxy)} → ${fmt(after.proxy)}` : '-',
        `${fmt(p.load.peak, 1)}/${fmt(p.load.end, 1)}`,
      ]),
    );
  }
  console.log(
    '\n  runtime: the workerd that runs our Worker (plain: the only process; wrangler dev: the one with the' +
      "\n  inspector); +proxy: wrangler dev's dev-proxy workerd in front of it. kept: after − before, MB;" +
      '\n  KB/req: kept per request served in the phase. load avg: 1-minute, highest during the phase / at its end.',
  );
}

async function database(): Promise<{ label: string; db?: BenchDatabase }> {
  if (process.env.LOAD_DATABASE === 'embedded') return { label: 'embedded PGlite' };
  const db = await systemPostgres(BENCH_POSTGRES_PORT);
  return db ? { label: db.label, db } : { label: 'embedded PGlite (no Postgres server here)' };
}

const { label, db } = await database();
if (db) process.env.TEST_DATABASE_URL = db.url;
else delete process.env.TEST_DATABASE_URL;
console.log(`Starting the test profile's stack on ${label}, wrangler dev included...`);
const stack = await startLoadStack();
let plain: Awaited<ReturnType<typeof startPlainWorkerd>> | undefined;
const stopAll = async () => {
  await plain?.process.stop();
  await stack.stop();
  await db?.stop();
};
const interrupted = () => void stopAll().finally(() => process.exit(130));
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);
try {
  const worker = stack.services.find((s) => s.name === 'worker');
  if (!worker || !isRunning(worker) || worker.state !== 'started' || !worker.process)
    throw new Error(
      'wrangler dev did not start here (or a test stack of this checkout already ran one: stop it)',
    );
  const wranglerGroup = worker.process.pid;
  // The vars the stack gave wrangler dev, but the origin this Worker answers on.
  const vars = readEnvFile(join(stack.config.stateDir, 'worker.env'));
  const plainUrl = `http://127.0.0.1:${PLAIN_PORT}`;
  vars.APP_ORIGIN = `${plainUrl},http://localhost:${PLAIN_PORT}`;
  console.log(`Bundling the Worker and serving it with plain workerd on ${plainUrl}...`);
  plain = await startPlainWorkerd({
    dir: join(stack.config.stateDir, 'plain-workerd'),
    port: PLAIN_PORT,
    vars,
    entry: TEST_WORKER,
  });
  const plainGroup = plain.process.pid;

  const targets: Target[] = [
    { label: 'plain workerd', base: plain.url, rss: () => plainWorkerdRss(plainGroup), users: [] },
    { label: 'wrangler dev', base: worker.url, rss: () => workerdRss(wranglerGroup), users: [] },
  ];
  for (const target of targets) {
    console.log(`  ${target.label}: signing up ${USERS} users...`);
    target.users = await seedUsers(target.base, USERS);
  }
  const phases: Phase[] = [];
  for (let n = 1; n <= ROUNDS; n++) for (const target of targets) phases.push(await round(target, n));
  for (let n = 1; n <= CONTROL_ROUNDS; n++)
    for (const [what, path] of CONTROLS)
      for (const target of targets) phases.push(await control(target, `${what} #${n}`, path));
  console.log(
    `\n${label}: ${LOOPS} loops (+${VIEWERS} viewers in round 1) for ${SECONDS} s, ${AFTER_SECONDS} s rest; controls ${CONTROL_SECONDS} s + 5 s rest`,
  );
  printTable(phases);
} finally {
  process.off('SIGINT', interrupted);
  process.off('SIGTERM', interrupted);
  await stopAll();
}
