/**
 * API latency benchmark, run with `node workers/bench/api/bench.ts` (loopback only). Under `wrangler
 * dev` (a local stack of the `demo` profile, or BENCH_BASE_URL for one you run), it times an
 * authenticated `GET /api/projects` (JWT check, denylist lookup in Redis, rate limit, a Postgres page
 * of 20 projects) beside `GET /api/health/live`, which touches no dependency, interleaved in the same
 * run. The ratio is the cost of auth and the database over the Worker's own request path.
 */
import { isRunning } from '../../../infra/stack/service.ts';
import { startStack, type Stack } from '../../../infra/stack/stack.ts';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 400);
const WARMUP = 30;
/** Requests per user and minute stay under the API's per-user limit (600 a minute by default). */
const USERS = Math.max(1, Math.ceil(SAMPLES / 400));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed(url: string, init: RequestInit): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return ms;
}

async function register(base: string, n: number): Promise<string> {
  const res = await fetch(`${base}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({
      email: `bench-${Date.now()}-${n}@example.test`,
      password: `Bench-${crypto.randomUUID()}`,
      delivery: 'token',
    }),
  });
  if (res.status !== 201) throw new Error(`register answered ${res.status}: ${await res.text()}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  for (let i = 0; i < 20; i++) {
    const created = await fetch(`${base}/api/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ name: `Bench ${i}`, description: 'A project to list.' }),
    });
    if (created.status === 429) break; // the per-user creation limit: enough projects to list
    if (created.status !== 201) throw new Error(`create answered ${created.status}`);
  }
  return accessToken;
}

let stack: Stack | undefined;
let base = process.env.BENCH_BASE_URL?.replace(/\/+$/, '');
if (!base) {
  console.log('starting a local stack (demo profile: wrangler dev, Postgres, Redis)...');
  stack = await startStack({ profile: 'demo', withoutRunner: true });
  const worker = stack.services.find((s) => s.name === 'worker');
  if (!worker || !isRunning(worker)) throw new Error('the Worker did not start');
  base = worker.url;
}
try {
  const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => register(base!, i)));
  const live = () => timed(`${base}/api/health/live`, {});
  const list = (i: number) =>
    timed(`${base}/api/projects`, { headers: { authorization: `Bearer ${tokens[i % USERS]}` } });
  for (let i = 0; i < WARMUP; i++) {
    await live();
    await list(i);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    a.push(await live());
    b.push(await list(i));
  }
  a.sort((x, y) => x - y);
  b.sort((x, y) => x - y);
  const row = (what: string, xs: number[]) =>
    `${what.padEnd(44)}${percentile(xs, 50).toFixed(2).padStart(9)}${percentile(xs, 90).toFixed(2).padStart(9)}${percentile(xs, 99).toFixed(2).padStart(9)}`;
  console.log(`\n${SAMPLES} sequential requests each, interleaved, wrangler dev on loopback (ms)`);
  console.log(`${''.padEnd(44)}${'p50'.padStart(9)}${'p90'.padStart(9)}${'p99'.padStart(9)}`);
  console.log(row('GET /api/health/live (no dependency)', a));
  console.log(row('GET /api/projects (bearer, Redis, Postgres)', b));
  console.log(
    `${'ratio'.padEnd(44)}${(percentile(b, 50) / percentile(a, 50)).toFixed(1).padStart(8)}x${(percentile(b, 90) / percentile(a, 90)).toFixed(1).padStart(8)}x${(percentile(b, 99) / percentile(a, 99)).toFixed(1).padStart(8)}x`,
  );
} finally {
  await stack?.stop();
}
