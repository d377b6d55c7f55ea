/**
 * Git history benchmark, run with `node workers/bench/git/bench.ts` (in memory: node:sqlite, no network).
 * The same step (one file changed) is committed on a 20-file and on a 2,000-file project: its time and
 * the SQLite rows it writes, beside the baseline of the project's first commit (every file and tree, the
 * cost a non-incremental writer would pay each step). Target: the step's rows do not grow with the
 * project, and its time stays within 3× of the small project's.
 */
import { GitStore } from '../../src/project-object/storage/git-store.ts';
import { harness } from '../../src/project-object/testing/harness.ts';
import { GitHistory } from '../../src/git/history.ts';

/** Files spread over directories of 50, as a generated app's are. */
function bigStep(files: number) {
  const dirs = Math.max(1, Math.ceil(files / 50));
  const per = Math.floor(files / dirs);
  return Array.from({ length: dirs }, (_, d) => ({
    writeMany: d === dirs - 1 ? files - per * (dirs - 1) : per,
    prefix: `src/part${d}/file`,
    size: 400,
  }));
}

/** Steps of one changed file each, after the first (the median is reported). */
const STEPS = 9;

const ROWS =
  'SELECT (SELECT count(*) FROM git_objects) + (SELECT count(*) FROM git_blobs) + (SELECT count(*) FROM git_commits) AS n';

async function measure(files: number) {
  const h = harness({
    script: {
      steps: [
        { title: 'Write the app', actions: bigStep(files) },
        { title: 'Change one file', repeat: STEPS, actions: [{ touch: 'src/app.js' }] },
      ],
    },
  });
  const history = new GitHistory(new GitStore(h.sql), () => 'u1');
  const rows = () => h.sql.one<{ n: number }>(ROWS)!.n + 1; // + the head's row, updated each commit
  h.controls.start();
  await h.engine.runNext();
  let before = rows();
  let t = performance.now();
  await history.catchUp();
  const first = { ms: performance.now() - t, rows: rows() - before };
  const times: number[] = [];
  const written: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    await h.engine.runNext();
    before = rows();
    t = performance.now();
    await history.catchUp();
    times.push(performance.now() - t);
    written.push(rows() - before);
  }
  times.sort((a, b) => a - b);
  // The median: one step may meet a garbage collection of the first commit's work.
  const step = { ms: times[Math.floor(STEPS / 2)]!, rows: Math.max(...written) };
  return { files, first, step };
}

// A warm-up run: the first one pays for the JIT.
await measure(20);
const small = await measure(20);
const large = await measure(2000);
const pad = (s: string | number, n: number) => String(s).padStart(n);
console.log(
  `One step's commit (one file changed; median of ${STEPS}), beside the project's first commit (every file)`,
);
console.log(
  `${'project'.padEnd(14)}${pad('step ms', 10)}${pad('step rows', 11)}${pad('first ms', 10)}${pad('first rows', 12)}`,
);
for (const r of [small, large]) {
  console.log(
    `${`${r.files} files`.padEnd(14)}${pad(r.step.ms.toFixed(2), 10)}${pad(r.step.rows, 11)}${pad(r.first.ms.toFixed(1), 10)}${pad(r.first.rows, 12)}`,
  );
}
const rowsOk = large.step.rows === small.step.rows;
const timeOk = large.step.ms <= Math.max(3 * small.step.ms, 5);
console.log(`step rows ${small.step.rows} → ${large.step.rows}   target: equal ${rowsOk ? 'ok' : 'MISSED'}`);
console.log(
  `step time ${small.step.ms.toFixed(2)} → ${large.step.ms.toFixed(2)} ms   target ≤ 3× (or 5 ms) ${timeOk ? 'ok' : 'MISSED'}`,
);
if (!rowsOk || !timeOk) process.exitCode = 1;
