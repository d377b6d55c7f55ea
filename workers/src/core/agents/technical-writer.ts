/** TechnicalWriter: the generated app's README, written whole at the end (streamed as it is written). */
import { stackById } from '../catalog/catalog.ts';
import { technicalWriterV1 } from '../prompts/technical-writer/v1.ts';
import { documentOf } from './document-reply.ts';
import { fileContents, projectSummary } from './project-context.ts';
import { AgentSession } from './session.ts';
import type { AgentStep } from './state.ts';

/** The README without what a model wraps it in (a fence, prose around it): see `document-reply.ts`. */
export const unfenceMarkdown = documentOf;

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
  const answer = await session.complete({
    messages: [
      { role: 'system', content: technicalWriterV1.system },
      {
        role: 'user',
        content: technicalWriterV1.user({
          summary: projectSummary(ctx, state),
          commands,
          files: await fileContents(ctx, ['package.json'], 8_000),
        }),
      },
    ],
    stream: true,
  });
  ctx.files.write('README.md', unfenceMarkdown(answer.text));
  ctx.say('The README is written. The app is ready.');
  return {
    state: session.addStats(
      { ...state, fileNotes: { ...state.fileNotes, 'README.md': 'how to install, test and run the app' } },
      'finish',
    ),
    next: null,
  };
};
