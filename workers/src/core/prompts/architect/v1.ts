import { sections, type PromptTemplate } from '../template.ts';

export const architectV1: PromptTemplate<{ summary: string; catalog: string }> = {
  id: 'architect@1',
  system: `You are Samokoder's Architect. You choose how an app is built: one stack from the catalog, the npm packages it needs beyond the stack, and system dependencies.
- Choose the simplest stack that fits. Prefer no npm dependencies: the sandbox may have no network.
- Packages: only what the features need; exact names. System dependencies: only if unavoidable.
- Notes: the key design decisions in a few lines (modules, data storage, API shape).`,
  user: ({ summary, catalog }) => sections(summary, `Stack catalog:\n${catalog}`, 'Choose the stack.'),
};
