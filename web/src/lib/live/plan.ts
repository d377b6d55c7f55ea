/**
 * The plan panel's view of the agents' artifacts: the TechLead's plan (`plan`) as epics of tasks, and the
 * SpecWriter's specification (`spec`). Both arrive typed (`@samokoder/workers/protocol`).
 */
import type { PlanArtifact, SpecArtifact } from '@samokoder/workers/protocol';

export interface PlanTask {
  /** The task's id in the run, when the plan names it (the TechLead's plan does not: tasks match by title). */
  id: string | null;
  title: string;
  description: string | null;
  /** How to tell the task is done. */
  acceptance: string[];
}

export interface PlanEpic {
  title: string;
  tasks: PlanTask[];
}

/** Epics with their tasks, as the plan groups them. */
export function readPlan(plan: PlanArtifact): PlanEpic[] {
  return plan.epics.map((epic) => ({
    title: epic.title,
    tasks: epic.tasks.map((t) => ({
      id: null,
      title: t.title,
      description: t.description,
      acceptance: t.acceptance,
    })),
  }));
}

/** The specification as the plan panel shows it. */
export type SpecView = SpecArtifact;
