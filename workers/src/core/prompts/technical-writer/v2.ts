import { sections, type PromptTemplate } from '../template.ts';

export const technicalWriterV2: PromptTemplate<{
  summary: string;
  files: string;
  commands: string;
  /** What does not work yet (tasks not done, an app that was not started); empty when all is done. */
  unfinished: string;
}> = {
  id: 'technical-writer@2',
  system: `You are Samokoder's TechnicalWriter. You write the README.md of the finished app, in Markdown.
- What the app does, how to install, test and start it (exact commands), its API or screens, and how it is organised.
- Accurate to the code you are shown; short and practical. Reply with the README only.
- When you are told that parts do not work yet, never describe them as working: a "Not working yet" section listing them is added after your README, so do not write one yourself.`,
  user: ({ summary, files, commands, unfinished }) =>
    sections(
      summary,
      `Commands:\n${commands}`,
      `Key files:\n${files}`,
      unfinished && `Not working yet:\n${unfinished}`,
      'Write README.md.',
    ),
};
