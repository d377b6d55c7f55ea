/**
 * The context benchmark's table: per task and in total, the calls, the prompt tokens sent, the ratios
 * to the all-files and per-task baselines, and the largest call against its budget, each row with its
 * target. Returns how many targets were missed.
 */
import type { CallTokens } from './prompt-tokens.ts';

/** At most this share of the all-files baseline. */
export const ALL_FILES_TARGET = 0.25;

interface Row {
  label: string;
  calls: CallTokens[];
  /** Whether the all-files target holds for the row. */
  ratioTarget: boolean;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const sum = (calls: readonly CallTokens[], pick: (c: CallTokens) => number) =>
  calls.reduce((n, c) => n + pick(c), 0);

function printRow({ label, calls, ratioTarget }: Row): number {
  const sent = sum(calls, (c) => c.prompt);
  const allFiles = sum(calls, (c) => c.allFiles);
  const perTask = sum(calls, (c) => c.perTask);
  const largest = calls.reduce((a, b) => (b.prompt / b.budget > a.prompt / a.budget ? b : a));
  const over = calls.filter((c) => c.prompt > c.budget).length;
  const ratio = sent / allFiles;
  const ratioOk = !ratioTarget || ratio <= ALL_FILES_TARGET;
  const budgetOk = over === 0;
  const target = `${ratioTarget ? `≤ ${ALL_FILES_TARGET} ` : ''}budget`;
  const verdict =
    ratioOk && budgetOk ? 'ok' : `MISSED${ratioOk ? '' : ' ratio'}${budgetOk ? '' : ` ${over} over budget`}`;
  console.log(
    `${label.padEnd(10)}${pad(calls.length, 6)}${pad(sent, 9)}${pad(allFiles, 11)}${pad(ratio.toFixed(2), 7)}${pad(perTask, 10)}${pad((sent / perTask).toFixed(2), 7)}${pad(`${largest.prompt}/${largest.budget}`, 13)} ${largest.agent.padEnd(16)}${target.padEnd(14)}${verdict}`,
  );
  return (ratioOk ? 0 : 1) + (budgetOk ? 0 : 1);
}

/** Prints the project's table; returns the number of targets missed. */
export function printContextTable(
  title: string,
  calls: readonly CallTokens[],
  opts: { taskTargets: boolean },
): number {
  console.log(`\nPrompt tokens, ${title} (estimate: 4 chars/token + 4 per message)`);
  console.log(
    `${'task'.padEnd(10)}${pad('calls', 6)}${pad('sent', 9)}${pad('all files', 11)}${pad('÷all', 7)}${pad('per task', 10)}${pad('÷task', 7)}${pad('largest/budg', 13)} ${'(agent)'.padEnd(16)}${'target'.padEnd(14)}verdict`,
  );
  const tasks = [...new Set(calls.map((c) => c.task))];
  let missed = 0;
  for (const task of tasks)
    missed += printRow({
      label: task,
      calls: calls.filter((c) => c.task === task),
      ratioTarget: opts.taskTargets,
    });
  missed += printRow({ label: 'total', calls: [...calls], ratioTarget: true });
  return missed;
}
