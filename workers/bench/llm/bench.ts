/**
 * LLM benchmark, run with `node workers/bench/llm/bench.ts` (loopback only: the fixture and a local
 * sandbox directory). Prints each figure beside its baseline:
 * - prompt tokens per task of the demo project vs a naive all-files baseline (target ratio ≤ 0.4);
 * - platform overhead per LLM call vs a bare fetch of a zero-latency fixture (target ≤ 5 ms).
 */
import { overheadBench } from './overhead.ts';
import { promptTokensBench } from './prompt-tokens.ts';

const pad = (s: string | number, n: number) => String(s).padStart(n);

const tasks = await promptTokensBench();
console.log('\nPrompt tokens per task, demo project (estimate: 4 chars/token + 4 per message)');
console.log(
  `${'task'.padEnd(10)}${pad('calls', 7)}${pad('sent', 10)}${pad('all files', 12)}${pad('ratio', 8)}`,
);
const total = { calls: 0, prompt: 0, naive: 0 };
for (const t of tasks) {
  total.calls += t.calls;
  total.prompt += t.prompt;
  total.naive += t.naive;
  console.log(
    `${t.task.padEnd(10)}${pad(t.calls, 7)}${pad(t.prompt, 10)}${pad(t.naive, 12)}${pad((t.prompt / t.naive).toFixed(2), 8)}`,
  );
}
const ratio = total.prompt / total.naive;
console.log(
  `${'total'.padEnd(10)}${pad(total.calls, 7)}${pad(total.prompt, 10)}${pad(total.naive, 12)}${pad(ratio.toFixed(2), 8)}   target ≤ 0.40 ${ratio <= 0.4 ? 'ok' : 'MISSED'}`,
);

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
