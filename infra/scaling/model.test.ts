import { describe, expect, it } from 'vitest';
import { STEPS } from './assumptions.ts';
import { MEASURED_COST } from './costs.ts';
import { LIMITS } from './limits.ts';
import {
  demandAt,
  neonMaxConnections,
  neonPoolSize,
  pressures,
  type Assumptions,
  type ProjectCost,
} from './model.ts';

/** Round figures, so every expectation below can be worked out by hand. */
const cost: ProjectCost = {
  sandboxPeakMemoryMb: 100,
  sandboxMeanCpus: 0.5,
  sandboxLimitMemoryMb: 1024,
  sandboxLimitCpus: 1,
  doRowsPerStep: 10,
  doBytesPerStep: 10_000,
  stepsPerActiveHour: 36,
  pgRowsPerStep: 2,
  pgBytesPerStep: 1000,
  pgShareOfApiRequests: 0.5,
  pgHoldMs: 100,
  redisCommandsPerApiRequest: 2,
  redisCommandsPerPlacement: 2,
  redisCommandsPerRunnerSecond: 0.4,
  announcementBytes: 200,
  promptTokensPerTask: 9000,
  completionTokensPerTask: 1000,
};

const assumptions: Assumptions = {
  dailyActiveShare: 0.1,
  peakConcurrentShare: 0.1,
  activeHoursPerDay: 1,
  apiRequestsPerActiveSecond: 1,
  doRequestsPerActiveSecond: 0.5,
  viewersPerActiveProject: 2,
  placementsPerActiveHour: 3600,
  sandboxesPerActiveProject: 1.5,
  publishedAppsPerUser: 0.01,
  publishedAppMemoryMb: 64,
  tasksPerActiveHour: 6,
  activeHoursPerProjectYear: 100,
  regions: 2,
  host: { cpus: 8, memoryGb: 16, maxSandboxes: 32 },
  neonComputeCu: 1,
  upstashPlan: 'payg',
};

describe('the scaling model', () => {
  // 10,000 users → 1,000 daily → 100 active at the peak.
  const d = demandAt(10_000, cost, assumptions);

  it('counts the active projects, their sandboxes and the published apps', () => {
    expect(d.dailyActive).toBe(1000);
    expect(d.concurrentProjects).toBe(100);
    expect(d.sandboxes).toBe(150);
    expect(d.publishedApps).toBe(100);
  });

  it('sizes the runner fleet by the tightest of the cap, memory and cores', () => {
    // 16 GiB / 1 GiB = 16 by memory, 8 / 0.5 = 16 by cores, 32 by the cap: 16 a host.
    expect(d.sandboxesPerHost).toBe(16);
    // 150 sandboxes → 10 hosts; 100 apps at 16 a host (memory) → 7 hosts.
    expect(d.runners).toBe(17);
    expect(d.runnersPerRegion).toBe(9);
    // Packed by use: 16,384 / 64 = 256 apps a host → 1 host for the apps.
    expect(d.runnersIfAppsPacked).toBe(11);
  });

  it('adds the API traffic, the placements and every runner heartbeat in Redis', () => {
    // 100 req/s × 2 + 100 placements/s × 2 + 17 runners × 0.4.
    expect(d.redisCommandsPerSecond).toBeCloseTo(200 + 200 + 6.8, 6);
    // Active seconds a month: 1,000 users × 3,600 s × 30 days = 108,000,000; at (1 × 2 + 1 × 2) each,
    // plus the heartbeats all month: 17 × 0.4 × 2,592,000.
    expect(d.redisCommandsPerMonth).toBeCloseTo(108_000_000 * 4 + 17 * 0.4 * 2_592_000, 0);
    // 30,000 active hours × 3,600 placements × 9 records × 200 bytes.
    expect(d.registryReadGbPerMonth).toBeCloseTo((30_000 * 3600 * 9 * 200) / 1e9, 6);
  });

  it('holds Postgres connections by Little’s law, for API requests and Durable Object writes', () => {
    // (100 req/s × 0.5 + 100 projects × 36 steps / 3,600 s) × 0.1 s.
    expect(d.pgConnectionsInUse).toBeCloseTo((50 + 1) * 0.1, 9);
    expect(d.pgRowsPerSecond).toBeCloseTo(2, 9);
    // 30,000 active hours × 36 steps × 1,000 bytes.
    expect(d.pgGbPerMonth).toBeCloseTo(1.08, 9);
  });

  it('works out storage per project, Durable Object duration and tokens per minute', () => {
    // 108,000,000 active seconds a month at 128 MB.
    expect(d.doGbSecondsPerMonth).toBeCloseTo(13_824_000, 3);
    expect(d.doStoragePerProjectMbPerYear).toBeCloseTo(36, 9);
    expect(d.llmTokensPerMinutePerUser).toBeCloseTo(1000, 9);
    expect(d.llmTokensPerMinute).toBeCloseTo(100_000, 6);
  });

  it('orders the limits by how hard they are pressed and flags the ones that bind', () => {
    const rows = pressures(d, assumptions, [
      { engine: 'A', what: 'loose', value: 1000, unit: 'x', source: 's', demand: () => 10 },
      {
        engine: 'B',
        what: 'tight',
        value: 100,
        unit: 'x',
        source: 's',
        demand: (x) => x.concurrentProjects * 2,
      },
      {
        engine: 'C',
        what: 'by deployment',
        value: (a) => neonPoolSize(a.neonComputeCu),
        unit: 'x',
        source: 's',
        demand: () => 377,
      },
      {
        engine: 'D',
        what: 'other plan',
        value: 1,
        unit: 'x',
        source: 's',
        demand: () => 5,
        applies: () => false,
      },
    ]);
    expect(rows.map((r) => [r.engine, r.use])).toEqual([
      ['B', 2],
      ['C', 1],
      ['A', 0.01],
    ]);
  });

  it("reads Neon's connection table, capped at 4,000 from 9 CU", () => {
    expect(neonMaxConnections(0.25)).toBe(104);
    expect(neonMaxConnections(1)).toBe(419);
    expect(neonMaxConnections(16)).toBe(4000);
    expect(neonPoolSize(1)).toBe(377);
  });

  it('with the measured costs, binds Upstash first at every step the plan names', () => {
    for (const step of STEPS) {
      const top = pressures(
        demandAt(step.users, MEASURED_COST, step.assumptions),
        step.assumptions,
        LIMITS,
      )[0]!;
      if (step.users === 100_000) expect(top.use).toBeLessThan(1);
      else expect(top.engine).toBe('Upstash');
    }
  });
});
