/**
 * The plan artifact (`artifact` event of kind `plan`, from the TechLead) read defensively: its schema
 * belongs to the agents and may grow, so only the parts the plan panel shows are picked out.
 */
export interface PlanTask {
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

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value : null);

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];

function readTask(value: unknown): PlanTask | null {
  if (typeof value === 'string') return { id: null, title: value, description: null, acceptance: [] };
  if (!isRecord(value)) return null;
  const title = text(value.title) ?? text(value.name) ?? text(value.description);
  if (!title) return null;
  return {
    id: text(value.id),
    title,
    description: title === value.description ? null : text(value.description),
    acceptance: strings(value.acceptance),
  };
}

function readTasks(value: unknown): PlanTask[] {
  return Array.isArray(value) ? value.flatMap((t) => readTask(t) ?? []) : [];
}

/** Epics with their tasks; a plan of plain tasks becomes one untitled epic. */
export function readPlan(data: unknown): PlanEpic[] {
  if (!isRecord(data)) return [];
  if (Array.isArray(data.epics)) {
    return data.epics.flatMap((epic, i) =>
      isRecord(epic)
        ? [{ title: text(epic.title) ?? text(epic.name) ?? `Epic ${i + 1}`, tasks: readTasks(epic.tasks) }]
        : [],
    );
  }
  const tasks = readTasks(data.tasks);
  return tasks.length ? [{ title: 'Tasks', tasks }] : [];
}

/** The specification artifact (`spec`, from the SpecWriter), the parts the plan panel shows. */
export interface SpecView {
  name: string | null;
  summary: string | null;
  features: string[];
  complexity: string | null;
  clarifications: { question: string; answer: string }[];
}

export function readSpec(data: unknown): SpecView | null {
  if (typeof data === 'string')
    return { name: null, summary: data, features: [], complexity: null, clarifications: [] };
  if (!isRecord(data)) return null;
  const clarifications = Array.isArray(data.clarifications)
    ? data.clarifications.flatMap((c) =>
        isRecord(c) && text(c.question) && typeof c.answer === 'string'
          ? [{ question: String(c.question), answer: c.answer }]
          : [],
      )
    : [];
  return {
    name: text(data.name),
    summary: text(data.summary) ?? text(data.text),
    features: strings(data.features),
    complexity: text(data.complexity),
    clarifications,
  };
}
