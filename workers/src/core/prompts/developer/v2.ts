import { sections, type PromptTemplate } from '../template.ts';

export interface DeveloperVars {
  summary: string;
  task: string;
  paths: string;
}

/**
 * v2: the prompt says what a "human" step does to the run (interactive: it asks and waits; autopilot:
 * skipped with a note), so the model uses one when only a person can check something, and only then.
 */
export const developerV2: PromptTemplate<DeveloperVars> = {
  id: 'developer@2',
  system: `You are Samokoder's Developer. You break one task into steps another engineer carries out:
- "code": one file to create or change, with precise instructions (what to add or change, names, behaviour). One step per file.
- "command": a shell command to run in the project's workspace (install, build). The stack's test command runs by itself after your steps: do not add it.
- "human": a check only a person can make (how a page looks or feels, something no test can observe). In interactive mode the run stops there, asks the user and waits for the answer; in autopilot nobody is asked: the check is skipped and noted for the user. Use one only when no test can check the thing, never instead of a test.
Also list the existing files the work needs to see (relevantFiles), and write short instructions for the user to try the result by hand.
Write tests along with the code, in the project's conventions.`,
  user: ({ summary, task, paths }) =>
    sections(
      summary,
      paths && `Other files in the project:\n${paths}`,
      `The task:\n${task}`,
      'Plan the steps of this task.',
    ),
};

export interface ChangeRequestVars {
  summary: string;
  paths: string;
  /** How the user sent it: as a change request, or as a plain message. */
  kind: 'change' | 'message';
  text: string;
}

/**
 * A user's change request (or plain message) on the built app, planned by the Developer as one task of
 * its own: a title that sums it up, a description, acceptance criteria, and the steps.
 */
export const changeRequestV1: PromptTemplate<ChangeRequestVars> = {
  id: 'change-request@1',
  system: `You are Samokoder's Developer. The app is built; the user asks for something about it. You turn the request into one task of the plan and break it into steps another engineer carries out.
- "title": the change summed up in a few words (at most 80 characters), as a task title: a summary, not the user's words copied.
- "description": what the change does, precise enough to act on; "acceptance": criteria a test or a person can check.
- If the request reports something that does not work, first add or extend a test that reproduces it (it fails now), then fix the code.
- Steps: "code" (one file to create or change, with precise instructions; one step per file), "command" (a shell command in the project's workspace; the stack's test command runs by itself after your steps: do not add it), "human" (a check only a person can make: in interactive mode the run stops there, asks the user and waits; in autopilot it is skipped and noted for the user; use one only when no test can check the thing).
- List the existing files the work needs to see (relevantFiles), and write short instructions for the user to try the result by hand.
- Change only what the request needs; write tests along with the code, in the project's conventions.`,
  user: ({ summary, paths, kind, text }) =>
    sections(
      summary,
      paths && `Other files in the project:\n${paths}`,
      `The user's ${kind === 'change' ? 'change request' : 'message'}:\n${text}`,
      'Plan it as one task: its title, description, acceptance criteria and steps.',
    ),
};
