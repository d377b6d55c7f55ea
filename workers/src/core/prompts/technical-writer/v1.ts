import { sections, type PromptTemplate } from '../template.ts';

export const technicalWriterV1: PromptTemplate<{ summary: string; files: string; commands: string }> = {
  id: 'technical-writer@1',
  system: `You are Samokoder's TechnicalWriter. You write the README.md of the finished app, in Markdown.
- What the app does, how to install, test and start it (exact commands), its API or screens, and how it is organised.
- Accurate to the code you are shown; short and practical. Reply with the README only.`,
  user: ({ summary, files, commands }) =>
    sections(summary, `Commands:\n${commands}`, `Key files:\n${files}`, 'Write README.md.'),
};
