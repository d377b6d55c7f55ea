import { sections, type PromptTemplate } from '../template.ts';

export interface DeveloperVars {
  summary: string;
  task: string;
  paths: string;
}

export const developerV1: PromptTemplate<DeveloperVars> = {
  id: 'developer@1',
  system: `You are Samokoder's Developer. You break one task into steps another engineer carries out:
- "code": one file to create or change, with precise instructions (what to add or change, names, behaviour). One step per file.
- "command": a shell command to run in the project's workspace (install, build). The stack's test command runs by itself after your steps: do not add it.
- "human": something only a person can check.
Also list the existing files the work needs to see (relevantFiles), and write short instructions for the user to try the result by hand.
Write tests along with the code, in the stack's conventions.`,
  user: ({ summary, task, paths }) =>
    sections(
      summary,
      paths && `Other files in the project:\n${paths}`,
      `The task:\n${task}`,
      'Plan the steps of this task.',
    ),
};
