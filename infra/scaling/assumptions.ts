/**
 * The assumptions of the scaling plan at each step (docs/scaling.md states them once, in prose).
 * The user-behaviour figures are the same at every step; what the platform deploys (regions, Neon's
 * compute) grows with it.
 */
import type { Assumptions } from './model.ts';

/** How users behave: the same at every scale. */
const BEHAVIOUR = {
  dailyActiveShare: 0.1,
  peakConcurrentShare: 0.1,
  activeHoursPerDay: 1,
  apiRequestsPerActiveSecond: 0.1,
  doRequestsPerActiveSecond: 0.2,
  viewersPerActiveProject: 2,
  placementsPerActiveHour: 1.5,
  // A 15-minute idle timeout after a session of an hour keeps a sandbox a quarter longer.
  sandboxesPerActiveProject: 1.25,
  publishedAppsPerUser: 0.02,
  // The demo's app (node, its server and nothing else) peaked at 46 MiB in docker stats.
  publishedAppMemoryMb: 46,
  tasksPerActiveHour: 6,
  activeHoursPerProjectYear: 100,
  host: { cpus: 16, memoryGb: 64, maxSandboxes: 32 },
} satisfies Omit<Assumptions, 'regions' | 'neonComputeCu' | 'upstashPlan'>;

/** The three steps of the plan, with what the platform deploys at each. */
export const STEPS: ReadonlyArray<{ users: number; assumptions: Assumptions }> = [
  { users: 1_000, assumptions: { ...BEHAVIOUR, regions: 1, neonComputeCu: 0.25, upstashPlan: 'free' } },
  { users: 100_000, assumptions: { ...BEHAVIOUR, regions: 2, neonComputeCu: 2, upstashPlan: 'payg' } },
  { users: 10_000_000, assumptions: { ...BEHAVIOUR, regions: 6, neonComputeCu: 16, upstashPlan: 'payg' } },
];
