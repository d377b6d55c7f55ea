/**
 * An agent as the engine's step function: what every agent's step does around the agent's own work (the
 * user's words kept as notes, tasks moved past by Skip settled), in one place.
 */
import type { QuestionSpec, StepFn } from '../pipeline.ts';
import { settleSkipped } from './outcome.ts';
import type { AgentContext, AgentsState, AgentStep } from './state.ts';
import { stepRef, type AgentName } from './steps.ts';
import { answerNote, messageNotes, withNotes, type UserNote } from './user-notes.ts';

/**
 * Agent `A` as the engine's step function. The engine has read the state (`readAgentsState`) and the
 * input (`readAgentInput`, with `A`'s schema) before the step runs: the context holds `A`'s input.
 */
export function agentStep<A extends AgentName>(fn: AgentStep<A>): StepFn<AgentsState> {
  return async (ctx) => {
    // The user's words reach every agent from here: the messages that arrived since the last step, in
    // the state this step starts from (so its prompts show them), and the user's own answers to this
    // step's questions, in the state it leaves (later steps show them).
    const heard = messageNotes(ctx.messages);
    const answers: UserNote[] = [];
    let asked = 0;
    const ask = async (question: QuestionSpec): Promise<string> => {
      const id = `s${ctx.stepId}:q${++asked}`;
      const answer = await ctx.ask(question);
      const note = answerNote(id, question, answer);
      if (note) answers.push(note);
      return answer;
    };
    // Tasks the Skip control moved past are recorded as skipped before anything reads the plan.
    const settled = settleSkipped(ctx.state, ctx.task);
    const state = heard.length ? { ...settled, notes: withNotes(settled.notes, heard) } : settled;
    const result = await fn({ ...ctx, ask, state } as AgentContext<A>, state);
    const kept = [...heard, ...answers];
    return {
      ...result,
      state: kept.length ? { ...result.state, notes: withNotes(result.state.notes, kept) } : result.state,
      next: result.next && stepRef(result.next),
    };
  };
}
