import { sections, type PromptTemplate } from '../template.ts';

interface ReadmeVars {
  summary: string;
  commands: string;
  /** One line per other file of the project: what it exports, the agents' note. */
  map: string;
  /** The key files, whole (package.json, the entry point, the server and its routes, the page). */
  files: string;
  /** What does not work yet (tasks not done, an app that was not started); empty when all is done. */
  unfinished: string;
}

const ROLE = `You are Samokoder's TechnicalWriter. You keep the README.md of the app accurate, in Markdown.
- It says what the app does, how to install, test and start it (exact commands), its API or screens, and how it is organised.
- Accurate to the code you are shown (the key files whole, the project map for the rest); short and practical.
- When you are told that parts do not work yet, never describe them as working: a "Not working yet" section listing them is added by the platform, so do not write one yourself.`;

/** The first README of a project: written whole. */
export const technicalWriterV3: PromptTemplate<ReadmeVars> = {
  id: 'technical-writer@3',
  system: `${ROLE}
- Reply with the whole README only.`,
  user: ({ summary, commands, map, files, unfinished }) =>
    sections(
      summary,
      `Commands:\n${commands}`,
      `Project map:\n${map}`,
      `Key files:\n${files}`,
      unfinished && `Not working yet:\n${unfinished}`,
      'Write README.md.',
    ),
};

/** A README that exists: changed by search/replace edits, so the rest (the user's own words) stays. */
export const readmeEditV3: PromptTemplate<ReadmeVars & { readme: string; feedback: string }> = {
  id: 'technical-writer-edit@3',
  system: `${ROLE}
- The README already exists and the user may have written parts of it: change only what the code no longer matches or what is missing (a new feature, route, command or screen). Keep everything else as it is, the user's sections and wording above all.
- Reply with search/replace edits of the current README: each search text copied exactly from it, occurring exactly once. To add a section, search for the lines it goes after and replace them with themselves plus the new section. No edits when the README is still accurate.`,
  user: ({ summary, commands, map, files, unfinished, readme, feedback }) =>
    sections(
      summary,
      `Commands:\n${commands}`,
      `Project map:\n${map}`,
      `Key files:\n${files}`,
      unfinished && `Not working yet:\n${unfinished}`,
      `The current content of README.md:\n${readme}`,
      feedback,
      'Edit README.md so it matches the app.',
    ),
};
