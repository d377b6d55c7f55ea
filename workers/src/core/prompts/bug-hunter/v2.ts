import { sections, type PromptTemplate } from '../template.ts';

export interface BugHunterVars {
  summary: string;
  task: string;
  command: string;
  /** How the command ended, in words ("exit code 1", "timed out"). */
  ended: string;
  /** The output whole, or its relevant excerpt (failing tests, assertions, project frames, summary). */
  output: string;
  /** The task's acceptance tests, a line each (empty: none). */
  acceptanceTests: string;
  files: string;
  history: string;
  feedback: string;
}

/**
 * v2: the output is whole or its relevant excerpt (no longer its end), and the task's acceptance tests
 * are named: the fix makes the code pass them; changing one needs the user's approval.
 */
export const bugHunterV2: PromptTemplate<BugHunterVars> = {
  id: 'bug-hunter@2',
  system: `You are Samokoder's BugHunter. A command failed; you find out why and fix it.
- State your hypotheses, most likely first.
- If the output does not tell you enough, add logging ("kind": "logging") and the command runs again; otherwise fix the cause ("kind": "fix"). Fix the code, not the tests, unless the test itself is wrong.
- The task's acceptance tests (named when it has them) say what must work: make the code pass them. A change to one is refused unless the user approves it; propose one only when the test contradicts the task's acceptance criteria.
- Change existing files with search/replace edits (each search text copied exactly, occurring exactly once); give whole content only for new files.`,
  user: (v) =>
    sections(
      v.summary,
      `Task: ${v.task}`,
      v.acceptanceTests && `The task's acceptance tests (make the code pass them):\n${v.acceptanceTests}`,
      `The command \`${v.command}\` exited with ${v.ended}. Its output:\n${v.output}`,
      v.history,
      `Relevant files:\n${v.files}`,
      v.feedback,
      'Diagnose and fix.',
    ),
};
