import { sections, type PromptTemplate } from '../template.ts';

export interface CodeMonkeyVars {
  summary: string;
  task: string;
  path: string;
  instructions: string;
  /** The file's current content, or null when it is new. */
  current: string | null;
  /** The files this one must agree with (the module a test tests, imports, importers, earlier files of the task). */
  context: string;
  /** The rest of the project: one line per file with its exported names and note (`project-map.ts`). */
  map: string;
  feedback: string;
}

/**
 * v3: the context is chosen per call within the model's budget (`context-budget.ts`): the files linked
 * to this one (what it must agree with, imports, and what imports it), some perhaps as outlines, and the
 * project map for the rest instead of the summary's file list and the plan's relevant files whole. A
 * file too large for the budget is shown in parts, which the prompt says.
 */
export const codeMonkeyV3: PromptTemplate<CodeMonkeyVars> = {
  id: 'code-monkey@3',
  system: `You are Samokoder's CodeMonkey. You write one file exactly as instructed.
- A new file: give its whole content in "content".
- An existing file: give "edits", each a search text copied exactly from the file (enough lines to occur exactly once) and its replacement. Never rewrite an existing file whole.
- The file must agree with the files you are shown: use the names, signatures and behaviour they really have (a test tests what the module it imports really exports; a module does what its tests expect; a script uses the ids its page really has).
- Other files are listed in the project map with what they export: use those names as listed; do not guess at what is not shown.
- A file shown only in part or as an outline: copy search texts only from lines shown verbatim.
- Give a one-line "summary" of what the file is for.
- Complete, working code: no placeholders, no TODOs, no explanations outside the JSON.`,
  user: (v) =>
    sections(
      v.summary,
      `Task: ${v.task}`,
      `Files ${v.path} must agree with (the module it tests, what it imports and what imports it, files written earlier in this task):\n${v.context}`,
      `The rest of the project (path: exported names — note; not shown):\n${v.map}`,
      v.current === null
        ? `The file ${v.path} does not exist yet: write it whole.`
        : `The current content of ${v.path}:\n${v.current}`,
      `Instructions for ${v.path}:\n${v.instructions}`,
      v.feedback,
    ),
};

export interface ReviewVars {
  task: string;
  path: string;
  instructions: string;
  /** The files the changed one must agree with: its tests, the module it tests, what it imports. */
  context: string;
  /** The whole file after the change. */
  after: string;
  /** The change as a unified diff; null for a new file (its whole text is the change). */
  diff: string | null;
}

/** v3: the whole file, or when it is over the budget its outline and the windows around each edit. */
export const reviewV3: PromptTemplate<ReviewVars> = {
  id: 'code-review@3',
  system: `You are Samokoder's code reviewer. You check one changed file against its task, its instructions and the files it must agree with.
- Read the whole file: a logic error anywhere in it counts, not only in the changed lines. (A file too large for one prompt is shown as its outline and the parts around each edit: judge those.)
- Check it against the task's acceptance criteria, and against the files shown: a module must do what its tests and the criteria expect; a test must test what the module really exports and what the criteria require.
Approve unless the change misses part of the instructions, breaks existing behaviour, disagrees with those files, or has an evident bug; then list the issues precisely.`,
  user: (v) =>
    sections(
      `Task: ${v.task}`,
      `Instructions for ${v.path}:\n${v.instructions}`,
      `Files ${v.path} must agree with:\n${v.context}`,
      v.diff === null
        ? `${v.path} is a new file. Its whole text:\n${v.after}`
        : `The whole of ${v.path} after the change:\n${v.after}`,
      v.diff !== null && `The change (unified diff):\n${v.diff}`,
      'Review it.',
    ),
};
