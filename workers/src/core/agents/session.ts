/**
 * An agent's LLM calls within one step: counts calls and estimated prompt tokens (added to the task's
 * stats), turns a missing key into a question to the user instead of a failure, and re-asks a text
 * answer cut off at the output limit once.
 */
import { cutOffMessage, cutOffNote, isCutOff } from '../cut-off.ts';
import { isEngineSignal } from '../errors.ts';
import type { LlmAnswer, LlmCall } from '../pipeline.ts';
import { LlmKeyMissing } from './errors.ts';
import type { AgentContext, AgentsState } from './state.ts';
import { promptTokens } from './tokens.ts';

export class AgentSession {
  calls = 0;
  promptTokens = 0;
  private readonly ctx: AgentContext;

  constructor(ctx: AgentContext) {
    this.ctx = ctx;
  }

  private async once<T>(call: LlmCall<T>): Promise<LlmAnswer<T>> {
    const answer = await this.ctx.llm.complete(call);
    this.calls += 1;
    this.promptTokens += promptTokens(call.messages);
    return answer;
  }

  /**
   * One call. Without a key for the provider, the run parks on a question asking the user to add one
   * (in autopilot too: nothing but the user can add a key); once answered (the step runs again), the
   * call is tried once more, and a key still missing fails the step with the same clear message.
   *
   * A text answer cut off at the model's output limit is never used as it is: the call is made once
   * more asking for a shorter answer, and an answer cut off again fails the step saying so. (The LLM
   * layer does the same for structured outputs, within its one re-ask.)
   */
  async complete<T>(call: LlmCall<T>): Promise<LlmAnswer<T>> {
    const answer = await this.keyed(call);
    if (call.schema || !isCutOff(answer.finishReason)) return answer;
    const again = await this.keyed({
      ...call,
      messages: [
        ...call.messages,
        { role: 'user', content: cutOffNote(answer.usage.outputTokens, 'answer') },
      ],
    });
    if (isCutOff(again.finishReason)) throw new Error(cutOffMessage(again.finishReason!));
    return again;
  }

  private async keyed<T>(call: LlmCall<T>): Promise<LlmAnswer<T>> {
    try {
      return await this.once(call);
    } catch (err) {
      if (isEngineSignal(err) || !(err instanceof LlmKeyMissing)) throw err;
      await this.ctx.ask({
        text: `${err.message} Answer "Added" once the key is saved, and the run continues.`,
        options: ['Added'],
        default: null,
      });
      return await this.once(call);
    }
  }

  /** A structured call: the typed object. */
  async object<T>(call: LlmCall<T> & { schema: NonNullable<LlmCall<T>['schema']> }): Promise<T> {
    const answer = await this.complete(call);
    if (answer.object === undefined) throw new Error(`${this.ctx.agent} got no structured output`);
    return answer.object;
  }

  /** The state with this session's calls added to the stats of `key` (a task id, or `plan`). */
  addStats(state: AgentsState, key: string): AgentsState {
    if (this.calls === 0) return state;
    const before = state.stats[key] ?? { calls: 0, promptTokens: 0 };
    return {
      ...state,
      stats: {
        ...state.stats,
        [key]: { calls: before.calls + this.calls, promptTokens: before.promptTokens + this.promptTokens },
      },
    };
  }
}
