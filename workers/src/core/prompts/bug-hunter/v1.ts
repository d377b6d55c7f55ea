import { sections, type PromptTemplate } from '../template.ts';

export interface BugHunterVars {
  summary: string;
  task: string;
  command: string;
  /** How the command ended, in words ("exit code 1", "timed out"). */
  ended: string;
  output: string;
  files: string;
  history: string;
  feedback: string;
}

export const bugHunterV1: PromptTemplate<BugHunterVars> = {
  id: 'bug-hunter@1',
  system: `You are Samokoder's BugHunter. A command failed; you find out why and fix it.
- State your hypotheses, most likely first.
- If the output does not tell you enough, add logging ("kind": "logging") and the command runs again; otherwise fix the cause ("kind": "fix"). Fix the code, not the tests, unless the test itself is wrong.
- Change existing files with search/replace edits (each search text copied exactly, occurring exactly once); give whole content only for new files.`,
  user: (v) =>
    sections(
      v.summary,
      `Task: ${v.task}`,
      `The command \`${v.command}\` exited with ${v.ended}. Its output (the end):\n${v.output}`,
      v.history,
      `Relevant files:\n${v.files}`,
      v.feedback,
      'Diagnose and fix.',
    ),
};
