/**
 * LLM benchmark, run with `node workers/bench/llm/bench.ts` (loopback only: the fixture and a local
 * sandbox directory). Prints each figure beside its baseline and exits non-zero when a target is missed:
 * - prompt tokens per task and in total, on the demo (the todo app written from nothing) and on the
 *   bookshelf (an existing app of 55 files: two tasks and a change request), against sending all files
 *   (target ≤ 0.25 of it) and against the per-task context of before; the largest call against its
 *   budget (target: no call over it). The ratio target holds for each project's total and for each task
 *   of the bookshelf; the demo's tasks start from an empty project, with little to leave out;
 * - platform overhead per LLM call vs a bare fetch of a zero-latency fixture (target ≤ 5 ms).
 */
import { BOOKSHELF_PROJECT, bookshelfFiles } from '../../../infra/samples/bookshelf/files.ts';
import {
  BOOKSHELF_CHANGE,
  bookshelfChangeSession,
  bookshelfSession,
} from '../../../infra/samples/bookshelf/session.ts';
import { DEMO_PROJECT, todoSession } from '../../../infra/demo/todo-session.ts';
import { overheadBench } from './overhead.ts';
import { measureCalls } from './prompt-tokens.ts';
import { printContextTable } from './context-table.ts';

const demo = await measureCalls({ project: DEMO_PROJECT, replies: todoSession() });
let missed = printContextTable('demo: the todo app from nothing', demo, { taskTargets: false });
const bookshelf = await measureCalls({
  project: BOOKSHELF_PROJECT,
  seed: bookshelfFiles(),
  replies: bookshelfSession(),
  change: { text: BOOKSHELF_CHANGE, replies: bookshelfChangeSession() },
});
missed += printContextTable(
  `bookshelf: ${Object.keys(bookshelfFiles()).length} files seeded, two tasks and a change request`,
  bookshelf,
  { taskTargets: true },
);

const pad = (s: string | number, n: number) => String(s).padStart(n);
const rows = await overheadBench();
console.log('\nPer-call overhead against a zero-latency fixture (ms)');
console.log(`${'path'.padEnd(62)}${pad('median', 8)}${pad('p90', 8)}${pad('overhead', 10)}`);
for (const r of rows) {
  console.log(
    `${r.what.padEnd(62)}${pad(r.medianMs.toFixed(2), 8)}${pad(r.p90Ms.toFixed(2), 8)}${pad(r.overheadMs === null ? '—' : r.overheadMs.toFixed(2), 10)}`,
  );
}
const worst = Math.max(...rows.flatMap((r) => (r.overheadMs === null ? [] : [r.overheadMs])));
console.log(`worst overhead ${worst.toFixed(2)} ms   target ≤ 5 ms ${worst <= 5 ? 'ok' : 'MISSED'}`);
if (worst > 5) missed++;

if (missed > 0) {
  console.log(`\n${missed} target(s) missed`);
  process.exitCode = 1;
}
