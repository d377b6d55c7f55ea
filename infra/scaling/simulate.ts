/**
 * `node infra/scaling/simulate.ts`: the tables of docs/scaling.md. For 1,000, 100,000 and 10 million
 * users, what the platform asks of each engine at the peak hour and in a month, then each published
 * limit beside the demand it meets, the most pressed first (use ≥ 1 means the limit binds).
 * `SCALE_USERS=5000,50000` simulates other sizes with the assumptions of the nearest step.
 * Pure arithmetic: it sends no traffic anywhere.
 */
import { STEPS } from './assumptions.ts';
import { MEASURED_COST } from './costs.ts';
import { LIMITS } from './limits.ts';
import { demandAt, pressures, type Assumptions, type Demand } from './model.ts';

/** A number as the tables show it: grouped thousands, at most two decimals, small ones kept readable. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 1 ? 1 : 3;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function steps(): Array<{ users: number; assumptions: Assumptions }> {
  const asked = process.env.SCALE_USERS;
  if (!asked) return [...STEPS];
  return asked.split(',').map((raw) => {
    const users = Number(raw);
    if (!Number.isFinite(users) || users < 1) throw new Error(`SCALE_USERS: ${raw} is not a user count`);
    // The step whose size is nearest on a log scale.
    const nearest = [...STEPS].sort(
      (x, y) => Math.abs(Math.log10(x.users / users)) - Math.abs(Math.log10(y.users / users)),
    )[0]!;
    return { users, assumptions: nearest.assumptions };
  });
}

const DEMAND_ROWS: Array<[string, (d: Demand) => number]> = [
  ['daily active users', (d) => d.dailyActive],
  ['active projects at the peak', (d) => d.concurrentProjects],
  ['sandboxes alive at the peak', (d) => d.sandboxes],
  ['published apps running', (d) => d.publishedApps],
  ['sandboxes per runner host', (d) => d.sandboxesPerHost],
  ['runner hosts (sandboxes + apps)', (d) => d.runners],
  ['runner hosts per region', (d) => d.runnersPerRegion],
  ['runner hosts if apps were packed by use', (d) => d.runnersIfAppsPacked],
  ['Worker API requests/s at the peak', (d) => d.workerRequestsPerSecond],
  ['Worker API requests/month', (d) => d.workerRequestsPerMonth],
  ['DO requests/month', (d) => d.doRequestsPerMonth],
  ['DO duration (GB-s/month)', (d) => d.doGbSecondsPerMonth],
  ['DO storage per project-year (MB)', (d) => d.doStoragePerProjectMbPerYear],
  ['Postgres connections in use at the peak', (d) => d.pgConnectionsInUse],
  ['Postgres rows written/s at the peak', (d) => d.pgRowsPerSecond],
  ['Postgres data written (GB/month)', (d) => d.pgGbPerMonth],
  ['Redis commands/s at the peak', (d) => d.redisCommandsPerSecond],
  ['Redis commands/month', (d) => d.redisCommandsPerMonth],
  ['registry reads (GB/month)', (d) => d.registryReadGbPerMonth],
  ['LLM tokens/min, all users at the peak', (d) => d.llmTokensPerMinute],
  ['LLM tokens/min per active user', (d) => d.llmTokensPerMinutePerUser],
];

const pad = (s: string, n: number) => s.padStart(n);
const chosen = steps();
const demands = chosen.map((s) => demandAt(s.users, MEASURED_COST, s.assumptions));

console.log('Demand at the peak hour and per month (docs/scaling.md states the assumptions)\n');
console.log(`${'users'.padEnd(42)}${chosen.map((s) => pad(formatNumber(s.users), 16)).join('')}`);
for (const [label, of] of DEMAND_ROWS) {
  console.log(`${label.padEnd(42)}${demands.map((d) => pad(formatNumber(of(d)), 16)).join('')}`);
}

for (const [i, step] of chosen.entries()) {
  const a = step.assumptions;
  console.log(
    `\n${formatNumber(step.users)} users (${a.regions} region(s), Neon ${a.neonComputeCu} CU, Upstash ${a.upstashPlan}): each limit beside its demand, most pressed first`,
  );
  console.log(
    `${'engine'.padEnd(17)}${'limit'.padEnd(72)}${pad('demand', 14)}${pad('limit', 12)}${pad('use', 9)}`,
  );
  for (const p of pressures(demands[i]!, a, LIMITS)) {
    const flag = p.use >= 1 ? '  BINDS' : '';
    console.log(
      `${p.engine.padEnd(17)}${p.what.padEnd(72)}${pad(formatNumber(p.demand), 14)}${pad(formatNumber(p.limit), 12)}${pad(formatNumber(p.use), 9)}${flag}`,
    );
  }
}

console.log('\nSources');
for (const source of new Set(LIMITS.map((l) => l.source))) console.log(`- ${source}`);
