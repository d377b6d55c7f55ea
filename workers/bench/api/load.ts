/**
 * Load benchmark, run with `node workers/bench/api/load.ts` (loopback only, bounded: a few minutes).
 *
 * For each database (the embedded PGlite, then a real Postgres: the machine's server binaries running a
 * cluster of the benchmark's own in a temporary directory, on loopback) it starts the real
 * stack under `wrangler dev` (the test profile, whose Worker has the scripted pipeline the viewers'
 * projects run, with rate limits raised: this measures capacity, not limits), signs up users, and for LOAD_SECONDS runs LOAD_LOOPS concurrent request loops (list, get,
 * rename, create and delete projects, file trees, usage) while LOAD_VIEWERS live viewers follow running
 * projects over WebSockets. It prints per database: answers, 5xx (target 0), requests that got no
 * answer (target 0), p50/p99 of the API beside `GET /api/health/live` under the same load, events the
 * viewers missed (target 0), the Worker isolate's heap after a full GC before the load and
 * LOAD_AFTER_SECONDS after it (target: back near where it started), and workerd's RSS before, at peak
 * and after, for the Worker's runtime and wrangler's dev proxy apart. Then LOAD_ROUNDS - 1 more rounds of
 * the same loops (no viewers), each with its RSS: memory kept as a high-water mark stays where round 1
 * left it, memory kept per request climbs. Last, the controls, in the same runtime: what it keeps per
 * request of `GET /api/health/live` (none of our I/O) and of static assets (none of our code), and what
 * the benchmark's own DevTools heap reading changes. Exits non-zero when a target is missed.
 *
 * LOAD_DATABASES=embedded,postgres chooses the databases; TEST_DATABASE_URL, when set, is the "real"
 * one instead of the benchmark's own cluster. Everything it starts is stopped at the end, or on Ctrl-C.
 */
import { isRunning } from '../../../infra/stack/service.ts';
import type { Stack } from '../../../infra/stack/stack.ts';
import { sleep } from '../../../infra/stack/process.ts';
import { livenessLoop, requestLoop, type LoadUser, type Sample } from './load-traffic.ts';
import { eventsLost, openViewers, PROJECTS_PER_USER, seedUsers, startLoadStack } from './load-setup.ts';
import { systemPostgres, type BenchDatabase } from './system-postgres.ts';
import { findInspector, heapAfterGcMb } from './isolate-heap.ts';
import { workerdPids, workerdRss } from './workerd-memory.ts';
import { rssControl, watchRss, type RssPhase } from './load-memory.ts';
import { report, type Result } from './load-report.ts';

const LOOPS = Number(process.env.LOAD_LOOPS ?? 200);
const VIEWERS = Number(process.env.LOAD_VIEWERS ?? 50);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const AFTER_SECONDS = Number(process.env.LOAD_AFTER_SECONDS ?? 60);
const DATABASES = (process.env.LOAD_DATABASES ?? 'embedded,postgres').split(',').map((s) => s.trim());
/** Request loops share users (4 loops each), as several tabs and scripts of one person would. */
const USERS = Math.max(1, Math.ceil(LOOPS / 4));
/** Projects the viewers follow (10 viewers each), each running a scripted pipeline through the load. */
const LIVE_PROJECTS = Math.ceil(VIEWERS / 10);
/** Liveness probes beside the load (sequential each). */
const PROBES = 4;
/** Load rounds: the first beside the viewers with its long rest, the others request loops only. */
const ROUNDS = Number(process.env.LOAD_ROUNDS ?? 3);
/** The rest after each later round: long enough for RSS to settle, which it does in seconds. */
const NEXT_SETTLE_SECONDS = Number(process.env.LOAD_NEXT_SETTLE_SECONDS ?? 20);
/** The runtime's own memory per request is measured with this many seconds of each control. */
const CONTROL_SECONDS = 10;
/** The controls: requests that run none of our I/O (liveness), or none of our code at all (assets). */
const CONTROLS: [string, string][] = [
  ['GET /api/health/live', '/api/health/live'],
  ['GET /favicon.svg (asset)', '/favicon.svg'],
  ['GET / (HTML asset)', '/'],
];

async function runOn(label: string, stack: Stack): Promise<Result> {
  const worker = stack.services.find((s) => s.name === 'worker');
  if (!worker || !isRunning(worker)) throw new Error('the Worker did not start');
  if (worker.state !== 'started' || !worker.process)
    throw new Error(
      'a Worker of the test profile was already running: stop it (its memory is not ours to measure)',
    );
  const group = worker.process.pid;
  const base = worker.url;

  console.log(`  signing up ${USERS} users with ${PROJECTS_PER_USER} projects each...`);
  const users = await seedUsers(base, USERS);
  console.log(`  opening ${VIEWERS} viewers on ${LIVE_PROJECTS} running projects...`);
  const live = await openViewers(base, users, VIEWERS, SECONDS);
  const inspector = await findInspector(workerdPids(group));
  const heap = async () => {
    if (!inspector) return NaN;
    return heapAfterGcMb(inspector, () => fetch(`${base}/api/health/live`)).catch(() => NaN);
  };
  const heapBefore = await heap();
  const round1 = watchRss(group);

  console.log(`  ${LOOPS} request loops + ${VIEWERS} viewers for ${SECONDS} s...`);
  for (const project of live) project.viewers[0]?.send({ type: 'control', action: 'start' });
  const deadline = Date.now() + SECONDS * 1000;
  const samples: Sample[] = [];
  const liveness: number[] = [];
  const [, failures] = await Promise.all([
    loops(base, users, deadline, samples),
    Promise.all(Array.from({ length: PROBES }, () => livenessLoop(base, deadline, liveness))).then((f) =>
      f.reduce((a, b) => a + b, 0),
    ),
  ]);
  const loadEnded = Date.now();
  const { events, lost, dropped } = await eventsLost(base, live);

  console.log(`  waiting ${AFTER_SECONDS} s for memory to settle...`);
  await sleep(Math.max(0, loadEnded + AFTER_SECONDS * 1000 - Date.now()));
  const rounds: RssPhase[] = [round1.end(samples.length)];
  // The benchmark's own DevTools session (a forced GC, a heap reading), measured on its own.
  const beforeDevtools = workerdRss(group);
  const heapAfter = await heap();
  const devtools = { before: beforeDevtools, after: workerdRss(group) };

  // The same loops again: memory the runtime keeps as a high-water mark stays where round 1 left it,
  // memory kept per request climbs with every round.
  for (let round = 2; round <= ROUNDS; round++) {
    console.log(
      `  round ${round}: ${LOOPS} request loops for ${SECONDS} s, ${NEXT_SETTLE_SECONDS} s rest...`,
    );
    const watch = watchRss(group);
    const more: Sample[] = [];
    await loops(base, users, Date.now() + SECONDS * 1000, more);
    await sleep(NEXT_SETTLE_SECONDS * 1000);
    rounds.push(watch.end(more.length));
    samples.push(...more);
  }

  const controls: [string, RssPhase][] = [];
  for (const [what, path] of CONTROLS) {
    console.log(`  control: ${LOOPS} loops of GET ${path} for ${CONTROL_SECONDS} s...`);
    controls.push([what, await rssControl(group, base, path, LOOPS, CONTROL_SECONDS)]);
  }
  return {
    label,
    shape: {
      loops: LOOPS,
      viewers: VIEWERS,
      seconds: SECONDS,
      afterSeconds: AFTER_SECONDS,
      nextSettleSeconds: NEXT_SETTLE_SECONDS,
    },
    samples,
    liveness,
    livenessFailures: failures,
    events,
    lost,
    viewersDropped: dropped,
    rounds,
    controls,
    devtools,
    heap: { before: heapBefore, after: heapAfter },
  };
}

/** LOOPS request loops until `deadline`, users shared round-robin. */
function loops(base: string, users: LoadUser[], deadline: number, samples: Sample[]): Promise<void[]> {
  return Promise.all(
    Array.from({ length: LOOPS }, (_, i) => requestLoop(base, users[i % users.length]!, deadline, samples)),
  );
}

/** Where the benchmark's own Postgres listens (beside the test profile's ports, shifted like them). */
const BENCH_POSTGRES_PORT = 15433 + Number(process.env.SAMOKODER_PORT_OFFSET ?? 0);

async function database(
  name: string,
): Promise<{ label: string; env: string | undefined; stop: () => Promise<void> } | undefined> {
  if (name === 'embedded')
    return { label: 'Embedded Postgres (PGlite)', env: undefined, stop: async () => {} };
  if (process.env.TEST_DATABASE_URL)
    return {
      label: 'Postgres (TEST_DATABASE_URL)',
      env: process.env.TEST_DATABASE_URL,
      stop: async () => {},
    };
  const system: BenchDatabase | undefined = await systemPostgres(BENCH_POSTGRES_PORT);
  if (!system) return undefined;
  return { label: system.label, env: system.url, stop: system.stop };
}

const externalDatabase = process.env.TEST_DATABASE_URL;
const missed: string[] = [];
const results: Result[] = [];
for (const name of DATABASES) {
  const db = await database(name);
  if (!db) {
    console.log(`\n${name}: no Postgres server installed here (apt-get install postgresql): skipped`);
    missed.push(`${name}: not run`);
    continue;
  }
  console.log(`\n${db.label}: starting the stack (test profile)...`);
  // The stack of a non-dev profile takes its database from TEST_DATABASE_URL; unset = the embedded one.
  if (db.env) process.env.TEST_DATABASE_URL = db.env;
  else delete process.env.TEST_DATABASE_URL;
  const stack = await startLoadStack();
  // Ctrl-C stops what this run started, like a run that ends.
  const interrupted = () => void stack.stop().finally(() => db.stop().finally(() => process.exit(130)));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    results.push(await runOn(db.label, stack));
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await stack.stop();
    await db.stop();
    if (externalDatabase) process.env.TEST_DATABASE_URL = externalDatabase;
  }
}
for (const result of results) missed.push(...report(result));
console.log(
  "\nRSS is wrangler dev's two workerd processes (statically linked tcmalloc, which returns no freed memory" +
    '\nhere): they keep memory for every request they served, whatever it ran, a static asset included (the' +
    '\ncontrols), so it is reported, not a target; the Worker heap after GC is what our code keeps.',
);
if (missed.length > 0) {
  console.log(`\nTargets missed:\n${missed.map((m) => `  - ${m}`).join('\n')}`);
  process.exitCode = 1;
}
