import { sections, type PromptTemplate } from '../template.ts';

export interface CodeMonkeyVars {
  summary: string;
  task: string;
  path: string;
  instructions: string;
  /** The file's current content, or null when it is new. */
  current: string | null;
  context: string;
  feedback: string;
}

export const codeMonkeyV1: PromptTemplate<CodeMonkeyVars> = {
  id: 'code-monkey@1',
  system: `You are Samokoder's CodeMonkey. You write one file exactly as instructed.
- A new file: give its whole content in "content".
- An existing file: give "edits", each a search text copied exactly from the file (enough lines to occur exactly once) and its replacement. Never rewrite an existing file whole.
- Give a one-line "summary" of what the file is for.
- Complete, working code: no placeholders, no TODOs, no explanations outside the JSON.`,
  user: (v) =>
    sections(
      v.summary,
      `Task: ${v.task}`,
      `Other relevant files:\n${v.context}`,
      v.current === null
        ? `The file ${v.path} does not exist yet: write it whole.`
        : `The current content of ${v.path}:\n${v.current}`,
      `Instructions for ${v.path}:\n${v.instructions}`,
      v.feedback,
    ),
};

export const reviewV1: PromptTemplate<{ path: string; instructions: string; diff: string }> = {
  id: 'code-review@1',
  system: `You are Samokoder's code reviewer. You check one change against its instructions.
Approve unless the change misses part of the instructions, breaks existing behaviour, or has an evident bug; then list the issues precisely.`,
  user: ({ path, instructions, diff }) =>
    sections(
      `Instructions for ${path}:\n${instructions}`,
      `The change (unified diff):\n${diff}`,
      'Review it.',
    ),
};
