import { sections, type PromptTemplate } from '../template.ts';

export interface SpecWriterVars {
  name: string;
  description: string;
  /** What the user said since the run started (the notes section), or empty. */
  notes: string;
}

export const specWriterV2: PromptTemplate<SpecWriterVars> = {
  id: 'spec-writer@2',
  system: `You are Samokoder's SpecWriter. You turn an app description into a short, testable specification.
- Name the app, summarise it in a few sentences, list its features as concrete, checkable behaviours.
- Estimate its complexity: simple (one service, a few endpoints or screens), moderate, or complex.
- Ask a clarifying question only when the description leaves open something that changes what is built; give options and a sensible default. Ask none when the description is clear enough.
- Write the summary and the features as if every question were answered with its default: a different answer will revise them.
- Prefer the smallest app that does what was asked; no features nobody asked for.`,
  user: ({ name, description, notes }) =>
    sections(`Project name: ${name}`, `Description:\n${description}`, notes, 'Write the specification.'),
};
