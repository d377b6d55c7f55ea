/**
 * The step history as a person reads it after rollbacks: the steps of the current branch's lineage (its
 * parent branch's steps up to the fork, then its own) in order, and the steps of earlier branches folded
 * where they left that lineage, one fold per fork point. Also what steps and tasks used (tokens, cost).
 * Pure: built from the steps and the forks the live channel reported.
 */
import type { StepUsage } from '@samokoder/workers/protocol';

/** Where a branch was forked: from step `fromStepId` of branch `parent` (a rollback). */
export interface BranchFork {
  parent: number;
  fromStepId: number;
}

/** The forks of a project's branches, by branch number. */
export type Forks = Readonly<Record<number, BranchFork>>;

/** What the history needs of a step. */
export interface HistoryStep {
  stepId: number;
  branch: number;
}

export type HistoryEntry<S extends HistoryStep> =
  | { kind: 'step'; step: S }
  /** Steps of earlier branches that left the current lineage after step `afterStepId` (null: before any). */
  | { kind: 'fold'; afterStepId: number | null; steps: S[]; branches: number[] };

/**
 * Whether a step is part of `branch`'s lineage: one of its own steps, or one of its parent's lineage up
 * to the step it was forked from. Step ids grow across branches, so "up to" is a comparison of ids.
 */
export function inLineage(step: HistoryStep, branch: number, forks: Forks): boolean {
  let limit = Infinity;
  let current = branch;
  // Each branch has one parent with a smaller number: the walk ends at branch 0.
  for (let hops = 0; hops <= Object.keys(forks).length; hops++) {
    if (step.branch === current) return step.stepId <= limit;
    const fork = forks[current];
    if (!fork) return false;
    limit = Math.min(limit, fork.fromStepId);
    current = fork.parent;
  }
  return false;
}

/** The current lineage in order, each earlier branch's steps folded in after the step they left it at. */
export function stepHistory<S extends HistoryStep>(
  steps: readonly S[],
  branch: number,
  forks: Forks,
): HistoryEntry<S>[] {
  const ordered = [...steps].sort((a, b) => a.stepId - b.stepId);
  const current = ordered.filter((s) => inLineage(s, branch, forks));
  const currentIds = new Set(current.map((s) => s.stepId));
  // Where each other branch leaves the current lineage: the last step the two lineages share.
  const leaves = new Map<number, number | null>();
  const leftAt = (other: number): number | null => {
    if (!leaves.has(other)) {
      let shared: number | null = null;
      for (const s of current) if (inLineage(s, other, forks)) shared = s.stepId;
      leaves.set(other, shared);
    }
    return leaves.get(other)!;
  };
  const folds = new Map<number | null, { steps: S[]; branches: Set<number> }>();
  for (const step of ordered) {
    if (currentIds.has(step.stepId)) continue;
    const at = leftAt(step.branch);
    const fold = folds.get(at) ?? { steps: [], branches: new Set<number>() };
    fold.steps.push(step);
    fold.branches.add(step.branch);
    folds.set(at, fold);
  }
  const entries: HistoryEntry<S>[] = [];
  const foldAt = (at: number | null) => {
    const fold = folds.get(at);
    if (fold)
      entries.push({ kind: 'fold', afterStepId: at, steps: fold.steps, branches: [...fold.branches] });
  };
  foldAt(null);
  for (const step of current) {
    entries.push({ kind: 'step', step });
    foldAt(step.stepId);
  }
  return entries;
}

/** Tokens and cost summed over steps; `unpriced` counts calls whose price is not known. */
export interface UsageSum {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  unpriced: number;
}

export const NO_USAGE: UsageSum = { calls: 0, inputTokens: 0, outputTokens: 0, costMicros: 0, unpriced: 0 };

/** Adds a step's usage to a sum. */
export function addUsage(sum: UsageSum, usage: StepUsage | UsageSum | null): UsageSum {
  if (!usage) return sum;
  return {
    calls: sum.calls + usage.calls,
    inputTokens: sum.inputTokens + usage.inputTokens,
    outputTokens: sum.outputTokens + usage.outputTokens,
    costMicros: sum.costMicros + usage.costMicros,
    unpriced: sum.unpriced + usage.unpriced,
  };
}

/** What each task's steps of the current lineage used, by task id. */
export function usageByTask<S extends HistoryStep & { task: string | null; usage: StepUsage | null }>(
  steps: readonly S[],
  branch: number,
  forks: Forks,
): Map<string, UsageSum> {
  const byTask = new Map<string, UsageSum>();
  for (const step of steps) {
    if (step.task === null || !step.usage || !inLineage(step, branch, forks)) continue;
    byTask.set(step.task, addUsage(byTask.get(step.task) ?? NO_USAGE, step.usage));
  }
  return byTask;
}
