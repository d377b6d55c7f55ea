/** TechnicalWriter: the generated app's README, written whole at the end (streamed as it is written). */
import { stackById } from '../catalog/catalog.ts';
import { technicalWriterV2 } from '../prompts/technical-writer/v2.ts';
import { documentOf } from './document-reply.ts';
import { notWorkingYet } from './outcome.ts';
import { fileContents, filesBudgetChars, projectSummary } from './project-context.ts';
import { AgentSession } from './session.ts';
import type { AgentStep } from './state.ts';

/** The README without what a model wraps it in (a fence, prose around it): see `document-reply.ts`. */
export const unfenceMarkdown = documentOf;

/**
 * The README with what does not work yet in a section of its own: written by the platform, not the
 * model, so a downloaded app always says which parts are not done.
 */
export function withKnownIssues(readme: string, unfinished: readonly string[]): string {
  if (unfinished.length === 0) return readme;
  return `${readme}\n## Not working yet\n\nSamokoder could not finish these parts:\n\n${unfinished.join('\n')}\n`;
}

export const technicalWriter: AgentStep<'TechnicalWriter'> = async (ctx, state) => {
  const stack = state.stack ? stackById(state.stack.id) : null;
  const session = new AgentSession(ctx);
  const commands = stack
    ? [
        stack.install && `install: ${stack.install}`,
        `test: ${stack.test}`,
        `start: ${stack.start} (port ${stack.previewPort})`,
      ]
        .filter(Boolean)
        .join('\n')
    : '(none)';
  const unfinished = notWorkingYet(state, ctx.input?.appNotStarted);
  const answer = await session.complete({
    messages: [
      { role: 'system', content: technicalWriterV2.system },
      {
        role: 'user',
        content: technicalWriterV2.user({
          summary: projectSummary(ctx, state),
          commands,
          // Within what the call's budget leaves (`context-budget.ts`).
          files: await fileContents(
            ctx,
            ['package.json'],
            await filesBudgetChars(ctx, projectSummary(ctx, state), 8_000),
          ),
          unfinished: unfinished.join('\n'),
        }),
      },
    ],
    stream: true,
  });
  ctx.files.write('README.md', withKnownIssues(unfenceMarkdown(answer.text), unfinished));
  ctx.say(
    unfinished.length
      ? `The README is written. Not everything works yet:\n${unfinished.join('\n')}`
      : 'The README is written. The app is ready.',
  );
  return {
    state: session.addStats(
      { ...state, fileNotes: { ...state.fileNotes, 'README.md': 'how to install, test and run the app' } },
      'finish',
    ),
    next: null,
  };
};
