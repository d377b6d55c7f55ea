import { sections, type PromptTemplate } from '../template.ts';

export interface SpecRevisionVars {
  /** The specification's summary and features as first written. */
  spec: string;
  /** The questions and the answers the user gave. */
  answers: string;
}

/** After the answers: the summary and features brought in line with them (none may contradict one). */
export const specRevisionV1: PromptTemplate<SpecRevisionVars> = {
  id: 'spec-revision@1',
  system: `You are Samokoder's SpecWriter. You wrote a specification assuming the default answer to each of your clarifying questions; the user has now answered them. Bring the specification in line with the answers:
- Rewrite each feature that an answer contradicts so that it states what the answer decided; drop a feature an answer rules out; add one when an answer asks for something new.
- Keep every other feature as it is, word for word, in the same order.
- Change the summary only where an answer changes it.
No feature may contradict an answer.`,
  user: ({ spec, answers }) =>
    sections(
      `The specification:\n${spec}`,
      `Your questions and the user's answers:\n${answers}`,
      'Give the summary and the full list of features as they are now.',
    ),
};
