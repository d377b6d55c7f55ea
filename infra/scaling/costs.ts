/**
 * What one active project costs, as measured in this repository on 2026-12-05 (docs/scaling.md,
 * "What one active project costs", says how each figure was taken). Figures marked "assumed" could not
 * be measured offline and are stated as assumptions there.
 */
import type { ProjectCost } from './model.ts';

/** A registry record as the runner writes it (the shape of `RunnerAnnouncement`), with realistic lengths. */
const SAMPLE_ANNOUNCEMENT = {
  id: 'runner-eu-7f3a9c',
  url: 'http://runner-eu-7f3a9c.internal:8788',
  capacity: 32,
  sandboxes: 17,
  commands: 4,
  draining: false,
  startedAt: 1_796_464_346_000,
  at: 1_796_464_351_000,
};

/** The demo (`pnpm demo`): 3 tasks, 23 steps, 25 LLM calls. */
const DEMO = {
  tasks: 3,
  steps: 23,
  doRows: 346,
  doPageBytes: 434_176,
  pgRows: 30,
  pgRowBytes: 4_701 + 15_112,
};

export const MEASURED_COST: ProjectCost = {
  // cgroup memory.max_usage_in_bytes of the demo's sandbox: 78,966,784 bytes (a dependency-free app;
  // an app with dependencies peaks higher, which the runner's 1 GiB limit bounds).
  sandboxPeakMemoryMb: 79,
  // Assumed: the demo's sandbox used 5.9 CPU-seconds in a 96 s run against a zero-latency LLM; with
  // real LLM latency the same work spreads over minutes (0.01-0.02 cores), and installs and builds of
  // apps with dependencies cost more: 0.1 core is a generous mean.
  sandboxMeanCpus: 0.1,
  sandboxLimitMemoryMb: 1024,
  sandboxLimitCpus: 1,
  doRowsPerStep: DEMO.doRows / DEMO.steps,
  doBytesPerStep: DEMO.doPageBytes / DEMO.steps,
  // Assumed: 6 tasks an active hour (a task every 10 minutes, the user reviewing between them).
  stepsPerActiveHour: (DEMO.steps / DEMO.tasks) * 6,
  // 25 usage-ledger rows, 4 snapshots and the project row over 23 steps.
  pgRowsPerStep: DEMO.pgRows / DEMO.steps,
  // pg_column_size of the 25 ledger rows (4,701 bytes) and the 4 snapshots (15,112 bytes).
  pgBytesPerStep: DEMO.pgRowBytes / DEMO.steps,
  // Assumed: every API request opens a connection (the project list, usage and keys do; project
  // reads go to the Durable Object, so this overcounts).
  pgShareOfApiRequests: 1,
  // Assumed: a WebSocket connect and one query to Neon in the Worker's region. Locally the authenticated
  // request's p50 is 51 ms against 25 ms for one with no dependency (workers/bench/api/bench.ts).
  pgHoldMs: 50,
  // Measured in Redis' commandstats over 300 authenticated requests: one EVALSHA (the fixed window)
  // and one MGET (the revocation check) each.
  redisCommandsPerApiRequest: 2,
  // The contract: ZRANGEBYSCORE then MGET.
  redisCommandsPerPlacement: 2,
  // The contract: SET + ZADD every 5 s.
  redisCommandsPerRunnerSecond: 2 / 5,
  announcementBytes: JSON.stringify(SAMPLE_ANNOUNCEMENT).length,
  // workers/bench/llm/bench.ts: the bookshelf (an existing app of 55 files) sends 49,787 prompt tokens
  // over three tasks; the demo's replies carry 4,736 completion tokens over three tasks.
  promptTokensPerTask: Math.round(49_787 / 3),
  completionTokensPerTask: Math.round(4_736 / 3),
};
