/**
 * WebGen-Bench task files: a JSON array, or JSON Lines, of `{ id, instruction, ui_instruct }`. The eval
 * generates each instruction's app and leaves grading to a person or a separate grader, who finds each
 * app beside its `ui_instruct` in the output directory.
 */
import { readFileSync } from 'node:fs';

/** One WebGen-Bench task: what to build, and the UI instructions its grader follows. */
export interface WebGenTask {
  id: string;
  instruction: string;
  /** As the file has it (WebGen-Bench: a list of `{ task, expected_result, ... }`): the grader's. */
  uiInstruct: unknown;
}

function readTask(value: unknown, where: string): WebGenTask {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${where}: a task is an object with id, instruction and ui_instruct`);
  const task = value as Record<string, unknown>;
  const id = task.id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new Error(`${where}: the task has no id`);
  if (typeof task.instruction !== 'string' || task.instruction.trim() === '')
    throw new Error(`${where}: task ${id} has no instruction`);
  if (!('ui_instruct' in task)) throw new Error(`${where}: task ${id} has no ui_instruct`);
  return { id: String(id), instruction: task.instruction.trim(), uiInstruct: task.ui_instruct };
}

/** The tasks of a file's text (`name` says where errors point). Ids must be unique. */
export function parseWebGenTasks(text: string, name = 'tasks'): WebGenTask[] {
  const trimmed = text.trim();
  let tasks: WebGenTask[];
  if (trimmed.startsWith('[')) {
    let values: unknown;
    try {
      values = JSON.parse(trimmed);
    } catch (err) {
      throw new Error(`${name}: not valid JSON (${(err as Error).message})`, { cause: err });
    }
    tasks = (values as unknown[]).map((v, i) => readTask(v, `${name}[${i}]`));
  } else {
    tasks = text.split('\n').flatMap((line, i) => {
      if (line.trim() === '') return [];
      try {
        return [readTask(JSON.parse(line) as unknown, `${name}:${i + 1}`)];
      } catch (err) {
        if (err instanceof SyntaxError) throw new Error(`${name}:${i + 1}: not valid JSON`, { cause: err });
        throw err;
      }
    });
  }
  if (tasks.length === 0) throw new Error(`${name}: no tasks`);
  const seen = new Set<string>();
  for (const t of tasks) {
    if (seen.has(t.id)) throw new Error(`${name}: the id ${t.id} is used twice`);
    seen.add(t.id);
  }
  return tasks;
}

/** The tasks of a WebGen-Bench file. */
export function readWebGenTasks(path: string): WebGenTask[] {
  return parseWebGenTasks(readFileSync(path, 'utf8'), path);
}
