import { sections, type PromptTemplate } from '../template.ts';

/**
 * import v1: the Architect reads an imported app (a zip, a repository) instead of choosing a stack for a
 * description: what the app is, how it runs, its conventions and its main files, from the project map
 * and a few key files. What it writes is the summary every later agent is shown.
 */
export const architectImportV1: PromptTemplate<{
  name: string;
  stack: string;
  map: string;
  files: string;
}> = {
  id: 'architect-import@1',
  system: `You are Samokoder's Architect. You read an imported app that already exists and write the summary every engineer after you works from: they change this app at the user's request and see nothing of it but your summary and the files they open.
- name: the app's name, short. summary: what the app does, for whom, in two to four sentences.
- features: what the app does today, one line each, as a user would notice it. Only what the files show.
- howToRun: how it is installed, tested and started (commands, port), as the files say.
- conventions: the rules its files follow (layout, module system, where tests live and how they are written, naming), so that new code fits in.
- mainFiles: the files that matter most (entry point, server, routes, page, data), each with one line on what it holds. Only paths of the map.
Describe what is there; do not propose changes.`,
  user: ({ name, stack, map, files }) =>
    sections(
      `Imported project: ${name}`,
      `Stack: ${stack}`,
      `Project map (every file, with what it exports):\n${map}`,
      `Key files:\n${files}`,
      'Summarize the app.',
    ),
};
