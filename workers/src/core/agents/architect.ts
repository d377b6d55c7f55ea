/**
 * Architect: a stack from the catalog, the packages, the project's conventions (the one place every
 * later agent takes them from), and the stack's starting files.
 */
import { describeCatalog, stackById } from '../catalog/catalog.ts';
import { architectV2 } from '../prompts/architect/v2.ts';
import { readImportedProject } from './imported-project.ts';
import { projectSummary } from './project-context.ts';
import { Architecture } from './schemas.ts';
import { AgentSession } from './session.ts';
import type { AgentStep } from './state.ts';

/** One-line notes of the scaffold files (the project summary lists every file with one). */
const SCAFFOLD_NOTES: Record<string, string> = {
  'package.json': 'npm manifest with the start and test scripts',
  '.gitignore': 'files git ignores',
  'index.html': 'the page that loads src/main.ts',
  'tsconfig.json': 'TypeScript settings',
};

export const architect: AgentStep<'Architect'> = async (ctx, state) => {
  if (ctx.input?.imported) return readImportedProject(ctx, state);
  const session = new AgentSession(ctx);
  const arch = await session.object({
    messages: [
      { role: 'system', content: architectV2.system },
      {
        role: 'user',
        content: architectV2.user({ summary: projectSummary(ctx, state), catalog: describeCatalog() }),
      },
    ],
    schema: Architecture,
  });
  const stack = stackById(arch.stack)!;
  // An answer without conventions keeps the stack's: either way the state holds the project's own.
  const conventions = arch.conventions?.trim() || stack.conventions;
  const fileNotes = { ...state.fileNotes };
  for (const file of stack.scaffold) {
    if ((await ctx.files.read(file.path)) !== null) continue;
    ctx.files.write(file.path, file.content);
    fileNotes[file.path] = SCAFFOLD_NOTES[file.path] ?? 'part of the stack template';
  }
  ctx.artifact({
    kind: 'architecture',
    data: {
      stack: stack.id,
      name: stack.name,
      packages: arch.packages,
      systemDependencies: arch.systemDependencies,
      conventions,
      notes: arch.notes,
    },
  });
  ctx.say(`Stack: ${stack.name}${arch.packages.length ? ` with ${arch.packages.join(', ')}` : ''}.`);
  return {
    state: session.addStats(
      {
        ...state,
        stack: { id: stack.id, packages: arch.packages, notes: arch.notes, conventions },
        fileNotes,
      },
      'plan',
    ),
    next: { agent: 'TechLead', title: 'Plan the tasks' },
  };
};
