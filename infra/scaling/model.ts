/**
 * The scaling model of docs/scaling.md: from a number of registered users, what the platform asks of
 * each engine at the peak hour and in a month, set against each engine's published limit. Pure
 * arithmetic over its inputs (figures.ts holds the measured costs, the assumptions and the limits), so
 * a test can check it on a small case and the table is reproducible.
 */

/** What one active project costs, measured from this codebase (see docs/scaling.md for how). */
export interface ProjectCost {
  /** Peak memory of a sandbox during a run (npm install, tests, the app started). */
  sandboxPeakMemoryMb: number;
  /** Mean CPU of a sandbox over a run, in cores. */
  sandboxMeanCpus: number;
  /** The runner's default limits per sandbox (sandbox-runner/src/config.ts): what a host must hold. */
  sandboxLimitMemoryMb: number;
  sandboxLimitCpus: number;
  /** Rows and bytes the project's Durable Object writes per pipeline step. */
  doRowsPerStep: number;
  doBytesPerStep: number;
  /** Pipeline steps per active hour of a project. */
  stepsPerActiveHour: number;
  /** Postgres rows written per pipeline step (usage ledger, project index, snapshots), on average. */
  pgRowsPerStep: number;
  /** Bytes of those rows per step (row data, without indexes). */
  pgBytesPerStep: number;
  /** Share of Worker API requests that open a Postgres connection. */
  pgShareOfApiRequests: number;
  /** Time a request holds its Postgres connection, in ms (includes the round trips to the database). */
  pgHoldMs: number;
  /** Upstash commands per authenticated API request (rate limit + revocation check). */
  redisCommandsPerApiRequest: number;
  /** Upstash commands per sandbox placement (ZRANGEBYSCORE + MGET of the registry). */
  redisCommandsPerPlacement: number;
  /** Upstash commands per runner per second (SET + ZADD every 5 s). */
  redisCommandsPerRunnerSecond: number;
  /** Bytes of one runner's announcement in the registry (the JSON of `RunnerAnnouncement`). */
  announcementBytes: number;
  /** LLM tokens per task of the pipeline, prompt and completion. */
  promptTokensPerTask: number;
  completionTokensPerTask: number;
}

/** What the model assumes about users and hosts (stated once, in docs/scaling.md too). */
export interface Assumptions {
  /** Daily active users as a share of registered users. */
  dailyActiveShare: number;
  /** Share of daily active users with an active project at the same time, at the peak hour. */
  peakConcurrentShare: number;
  /** Hours a daily active user keeps a project active. */
  activeHoursPerDay: number;
  /** Worker API requests per active user per second (UI reads, file views, answers). */
  apiRequestsPerActiveSecond: number;
  /** Durable Object requests per active project per second (Worker→DO calls, incoming live messages, alarms). */
  doRequestsPerActiveSecond: number;
  /** Live WebSocket viewers per active project (the owner's tabs). */
  viewersPerActiveProject: number;
  /** Sandbox placements per active project per hour (first run, idle reaper, moves off a draining runner). */
  placementsPerActiveHour: number;
  /** Sandboxes alive per active project: the idle timeout keeps one a while after its user leaves. */
  sandboxesPerActiveProject: number;
  /** Published apps running per registered user (each a long-lived deployment on a runner). */
  publishedAppsPerUser: number;
  /** Peak memory of a published app, MB. */
  publishedAppMemoryMb: number;
  /** Tasks of the pipeline per active hour of a project. */
  tasksPerActiveHour: number;
  /** Active hours a project accumulates in a year (what its Durable Object's storage grows with). */
  activeHoursPerProjectYear: number;
  /** Regions the runners are spread over at this scale. */
  regions: number;
  /** The runner host: cores, memory, and SANDBOX_MAX_SANDBOXES (also the cap on deployments). */
  host: { cpus: number; memoryGb: number; maxSandboxes: number };
  /** The Neon compute the platform runs at this scale, in CU (1 CU ≈ 4 GB RAM). */
  neonComputeCu: number;
  /** Upstash plan: the free tier caps commands a month; pay-as-you-go bills them. */
  upstashPlan: 'free' | 'payg';
}

/** A published limit of an engine, with where it is published. */
export interface EngineLimit {
  engine: string;
  what: string;
  value: number;
  unit: string;
  /** Title and address of the document, or "assumption: …". */
  source: string;
}

/** Everything the platform asks of the engines at one scale. */
export interface Demand {
  users: number;
  dailyActive: number;
  /** Active projects at the peak hour. */
  concurrentProjects: number;
  sandboxes: number;
  publishedApps: number;
  /** Sandboxes one host holds: the lowest of its cap, its memory at the sandboxes' limits, its cores at their mean use. */
  sandboxesPerHost: number;
  /** Hosts for the sandboxes plus hosts for the published apps. */
  runners: number;
  runnersPerRegion: number;
  /** Hosts if published apps were packed by their measured memory instead of the sandbox limit. */
  runnersIfAppsPacked: number;
  workerRequestsPerSecond: number;
  workerRequestsPerMonth: number;
  doRequestsPerSecondPerObject: number;
  doRequestsPerMonth: number;
  /** Durable Object duration: an object awaiting an LLM or a command cannot hibernate, billed at 128 MB. */
  doGbSecondsPerMonth: number;
  doStoragePerProjectMbPerYear: number;
  pgConnectionsInUse: number;
  pgRowsPerSecond: number;
  pgGbPerMonth: number;
  redisCommandsPerSecond: number;
  redisCommandsPerMonth: number;
  /** Bytes placements read from the registry in a month (each reads its region's announcements). */
  registryReadGbPerMonth: number;
  llmTokensPerMinute: number;
  llmTokensPerMinutePerUser: number;
}

const SECONDS_PER_HOUR = 3600;
const DAYS_PER_MONTH = 30;
/** Durable Objects are billed for duration at 128 MB, whatever they use (Cloudflare's pricing page). */
const DO_BILLED_GB = 0.128;

/** The demand at `users` registered users. */
export function demandAt(users: number, cost: ProjectCost, a: Assumptions): Demand {
  const dailyActive = users * a.dailyActiveShare;
  const concurrentProjects = Math.max(1, Math.ceil(dailyActive * a.peakConcurrentShare));
  const sandboxes = Math.ceil(concurrentProjects * a.sandboxesPerActiveProject);
  const publishedApps = Math.ceil(users * a.publishedAppsPerUser);

  const byMemory = Math.floor((a.host.memoryGb * 1024) / cost.sandboxLimitMemoryMb);
  const byCpu = Math.floor(a.host.cpus / cost.sandboxMeanCpus);
  const sandboxesPerHost = Math.max(1, Math.min(a.host.maxSandboxes, byMemory, byCpu));
  // Published apps count against the same cap on their own (the runner allows maxSandboxes of each).
  const appsPerHost = Math.max(1, Math.min(a.host.maxSandboxes, byMemory));
  const runners = Math.ceil(sandboxes / sandboxesPerHost) + Math.ceil(publishedApps / appsPerHost);

  const activeSecondsPerMonth = dailyActive * a.activeHoursPerDay * SECONDS_PER_HOUR * DAYS_PER_MONTH;
  const workerRequestsPerSecond = concurrentProjects * a.apiRequestsPerActiveSecond;
  const placementsPerSecond = (concurrentProjects * a.placementsPerActiveHour) / SECONDS_PER_HOUR;
  const redisCommandsPerSecond =
    workerRequestsPerSecond * cost.redisCommandsPerApiRequest +
    placementsPerSecond * cost.redisCommandsPerPlacement +
    runners * cost.redisCommandsPerRunnerSecond;
  const redisPerActiveSecond =
    a.apiRequestsPerActiveSecond * cost.redisCommandsPerApiRequest +
    (a.placementsPerActiveHour / SECONDS_PER_HOUR) * cost.redisCommandsPerPlacement;
  // The registry's heartbeat runs all month, not only at the peak.
  const secondsPerMonth = SECONDS_PER_HOUR * 24 * DAYS_PER_MONTH;
  const redisCommandsPerMonth =
    activeSecondsPerMonth * redisPerActiveSecond +
    runners * cost.redisCommandsPerRunnerSecond * secondsPerMonth;

  const stepsPerSecond = (concurrentProjects * cost.stepsPerActiveHour) / SECONDS_PER_HOUR;
  const tokensPerTask = cost.promptTokensPerTask + cost.completionTokensPerTask;
  const llmTokensPerMinutePerUser = (a.tasksPerActiveHour * tokensPerTask) / 60;

  return {
    users,
    dailyActive,
    concurrentProjects,
    sandboxes,
    publishedApps,
    sandboxesPerHost,
    runners,
    runnersPerRegion: Math.ceil(runners / a.regions),
    runnersIfAppsPacked:
      Math.ceil(sandboxes / sandboxesPerHost) +
      Math.ceil(publishedApps / Math.floor((a.host.memoryGb * 1024) / a.publishedAppMemoryMb)),
    workerRequestsPerSecond,
    workerRequestsPerMonth: activeSecondsPerMonth * a.apiRequestsPerActiveSecond,
    doRequestsPerSecondPerObject: a.doRequestsPerActiveSecond,
    doRequestsPerMonth: activeSecondsPerMonth * a.doRequestsPerActiveSecond,
    doGbSecondsPerMonth: activeSecondsPerMonth * DO_BILLED_GB,
    doStoragePerProjectMbPerYear:
      (cost.stepsPerActiveHour * a.activeHoursPerProjectYear * cost.doBytesPerStep) / 1e6,
    // Little's law: connections in use = arrival rate × time held. A Durable Object writes its step's
    // ledger rows and snapshot over one connection a step (pg-sync batches a second's worth).
    pgConnectionsInUse:
      (workerRequestsPerSecond * cost.pgShareOfApiRequests + stepsPerSecond) * (cost.pgHoldMs / 1000),
    pgRowsPerSecond: stepsPerSecond * cost.pgRowsPerStep,
    pgGbPerMonth:
      ((activeSecondsPerMonth / SECONDS_PER_HOUR) * cost.stepsPerActiveHour * cost.pgBytesPerStep) / 1e9,
    redisCommandsPerSecond,
    redisCommandsPerMonth,
    registryReadGbPerMonth:
      ((activeSecondsPerMonth / SECONDS_PER_HOUR) *
        a.placementsPerActiveHour *
        Math.ceil(runners / a.regions) *
        cost.announcementBytes) /
      1e9,
    llmTokensPerMinute: concurrentProjects * llmTokensPerMinutePerUser,
    llmTokensPerMinutePerUser,
  };
}

/** One line of the verdict: a demand set against the limit it meets. */
export interface Pressure {
  engine: string;
  what: string;
  demand: number;
  limit: number;
  unit: string;
  /** demand ÷ limit: at 1 or above, the limit binds. */
  use: number;
  source: string;
}

/** Which figure of a {@link Demand} a limit is compared with. */
export type DemandOf = (d: Demand, a: Assumptions) => number;

/** A limit as the simulation weighs it: its value (fixed, or set by the step's deployment) and its demand. */
export interface WeighedLimit extends Omit<EngineLimit, 'value'> {
  value: number | ((a: Assumptions) => number);
  demand: DemandOf;
  /** Whether the limit applies to the step's deployment (a plan's cap); always when absent. */
  applies?: (a: Assumptions) => boolean;
}

/** Each limit beside the demand it meets, the most pressed first. */
export function pressures(d: Demand, a: Assumptions, limits: ReadonlyArray<WeighedLimit>): Pressure[] {
  return limits
    .filter((l) => l.applies?.(a) ?? true)
    .map((l) => {
      const demand = l.demand(d, a);
      const limit = typeof l.value === 'function' ? l.value(a) : l.value;
      return {
        engine: l.engine,
        what: l.what,
        demand,
        limit,
        unit: l.unit,
        use: demand / limit,
        source: l.source,
      };
    })
    .sort((x, y) => y.use - x.use);
}

/** Neon's `max_connections` at a compute size (Neon's connection-pooling page, table by CU). */
export function neonMaxConnections(cu: number): number {
  const table: Array<[number, number]> = [
    [0.25, 104],
    [0.5, 209],
    [1, 419],
    [2, 839],
    [3, 1258],
    [4, 1678],
    [5, 2098],
    [6, 2517],
    [7, 2937],
    [8, 3357],
  ];
  if (cu >= 9) return 4000;
  const row = table.find(([size]) => size >= cu) ?? table[table.length - 1]!;
  return row[1];
}

/** The pooler's server-side pool per user and database: 90% of `max_connections`. */
export function neonPoolSize(cu: number): number {
  return Math.floor(0.9 * neonMaxConnections(cu));
}
