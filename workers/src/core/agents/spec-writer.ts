/** SpecWriter: from the description (and answers to clarifying questions) a specification. */
import { specWriterV1 } from '../prompts/spec-writer/v1.ts';
import { Spec } from './schemas.ts';
import { AgentSession } from './session.ts';
import type { AgentStep } from './state.ts';

export const specWriter: AgentStep<'SpecWriter'> = async (ctx, state) => {
  const session = new AgentSession(ctx);
  const spec = await session.object({
    messages: [
      { role: 'system', content: specWriterV1.system },
      {
        role: 'user',
        content: specWriterV1.user({ name: ctx.project.name, description: ctx.project.description }),
      },
    ],
    schema: Spec,
  });
  const clarifications: { question: string; answer: string }[] = [];
  for (const q of spec.questions) {
    const answer = await ctx.ask({
      text: q.question,
      ...(q.options.length ? { options: q.options } : {}),
      default: q.default,
    });
    clarifications.push({ question: q.question, answer });
  }
  ctx.artifact({
    kind: 'spec',
    data: {
      name: spec.name,
      summary: spec.summary,
      features: spec.features,
      complexity: spec.complexity,
      clarifications,
    },
  });
  ctx.say(`Specification of ${spec.name}: ${spec.features.length} features, ${spec.complexity}.`);
  return {
    state: session.addStats({ ...state, spec: { ...spec, clarifications } }, 'plan'),
    next: { agent: 'Architect', title: 'Choose the stack' },
  };
};
