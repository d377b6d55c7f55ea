/**
 * The prompt budget of a call, in one place. A stand-in until the per-call budget from the model's
 * context window (the context module) replaces it: every caller (the README writer, the context
 * benchmark) asks here, so the switch is one edit.
 *
 * Why 24,000 characters (about 6,000 tokens at the estimate's 4 characters a token): it fits a model
 * with an 8k window and leaves about 2k tokens for the answer.
 */
import { estimateTokens } from './tokens.ts';

/** Characters of prompt a call may carry. */
export const PROMPT_BUDGET_CHARS = 24_000;

/** Estimated prompt tokens a call of `agent` may carry (the same for every agent until the switch). */
export function promptBudgetTokens(_agent: string): number {
  return estimateTokens('x'.repeat(PROMPT_BUDGET_CHARS));
}
