/**
 * SpecWriter: from the description (and answers to clarifying questions) a specification. Its features
 * are written for the questions' defaults; when the user answers otherwise, one more call rewrites the
 * summary and features to agree with the answers, so no later agent reads a feature and a decision that
 * contradict each other.
 */
import { specRevisionV1 } from '../prompts/spec-writer/revision-v1.ts';
import { specWriterV2 } from '../prompts/spec-writer/v2.ts';
import { Spec, SpecRevision } from './schemas.ts';
import { AgentSession } from './session.ts';
import type { AgentStep } from './state.ts';
import { notesSection } from './user-notes.ts';

type Clarification = { question: string; answer: string };

/**
 * The spec's summary and features in agreement with the answers. Only an answer other than a question's
 * default can contradict them (they were written for the defaults), so only then is the model asked:
 * one call with the answers, rather than features per option up front, which would multiply the answer
 * and could not cover an answer in the user's own words.
 */
async function agreeWithAnswers(
  session: AgentSession,
  spec: Spec,
  clarifications: Clarification[],
): Promise<SpecRevision> {
  const changed = clarifications.some((c, i) => c.answer.trim() !== spec.questions[i]?.default.trim());
  if (!changed) return { summary: spec.summary, features: spec.features };
  return session.object({
    messages: [
      { role: 'system', content: specRevisionV1.system },
      {
        role: 'user',
        content: specRevisionV1.user({
          spec: [`Summary: ${spec.summary}`, 'Features:', ...spec.features.map((f) => `- ${f}`)].join('\n'),
          answers: clarifications
            .map((c, i) => `- ${c.question} (default: ${spec.questions[i]?.default ?? 'none'}) → ${c.answer}`)
            .join('\n'),
        }),
      },
    ],
    schema: SpecRevision,
  });
}

export const specWriter: AgentStep<'SpecWriter'> = async (ctx, state) => {
  const session = new AgentSession(ctx);
  const spec = await session.object({
    messages: [
      { role: 'system', content: specWriterV2.system },
      {
        role: 'user',
        content: specWriterV2.user({
          name: ctx.project.name,
          description: ctx.project.description,
          notes: notesSection(state.notes),
        }),
      },
    ],
    schema: Spec,
  });
  const clarifications: Clarification[] = [];
  for (const q of spec.questions) {
    const answer = await ctx.ask({
      text: q.question,
      ...(q.options.length ? { options: q.options } : {}),
      default: q.default,
    });
    clarifications.push({ question: q.question, answer });
  }
  const { summary, features } = await agreeWithAnswers(session, spec, clarifications);
  ctx.artifact({
    kind: 'spec',
    data: { name: spec.name, summary, features, complexity: spec.complexity, clarifications },
  });
  ctx.say(`Specification of ${spec.name}: ${features.length} features, ${spec.complexity}.`);
  return {
    state: session.addStats({ ...state, spec: { ...spec, summary, features, clarifications } }, 'plan'),
    next: { agent: 'Architect', title: 'Choose the stack' },
  };
};
