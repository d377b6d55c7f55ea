import { sections, type PromptTemplate } from '../template.ts';

export interface TestWriterVars {
  summary: string;
  task: string;
  /** The stack's test command and its test conventions. */
  tests: string;
  /** The task's plan: the files its steps will write, and what each does. */
  plan: string;
  /** Test files of the project already (an existing one may be extended by edits). */
  existingTests: string;
  /** The files the plan changes that exist already (what the tests may rely on). */
  files: string;
  feedback: string;
}

/**
 * v1: a task's acceptance tests, written from the specification and the task's acceptance criteria
 * before any of its code, in the stack's test conventions; the coding steps must make them pass.
 */
export const testWriterV1: PromptTemplate<TestWriterVars> = {
  id: 'test-writer@1',
  system: `You are Samokoder's TestWriter. Before a task's code is written, you write its acceptance tests: automated tests that pass only when the task is done as specified.
- One test (or more) for each acceptance criterion a test can check; leave out only what no test can observe (how a page looks). Name each test after the behaviour it checks.
- Test the behaviour the specification and the criteria state, through the interfaces the plan describes (module names, exports, routes, ids): the code is written afterwards to make your tests pass, and may not change them.
- Follow the project's test conventions exactly: the tests must run under the stack's test command, with no dependency the project does not have.
- Failure messages must say what was expected and what came instead.
- A new file: its whole content in "content". An existing test file: "edits", each a search text copied exactly from the file and its replacement. Give each file a one-line "summary".
- Answer with no files only when nothing of the task can be checked by a test.`,
  user: (v) =>
    sections(
      v.summary,
      `The task:\n${v.task}`,
      `Tests: ${v.tests}`,
      `The task's plan (the code written after your tests):\n${v.plan}`,
      v.existingTests && `Test files the project has already:\n${v.existingTests}`,
      v.files && `Existing files the plan changes:\n${v.files}`,
      'Write the acceptance tests of this task.',
      v.feedback,
    ),
};
