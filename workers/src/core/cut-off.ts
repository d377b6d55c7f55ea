/**
 * A reply cut off at the model's output limit: how it is recognized, what the one re-ask tells the model,
 * and what the user reads when the re-ask is cut off too. Shared by the LLM layer (structured outputs)
 * and the agents' sessions (text answers) so both say the same.
 */

/**
 * Finish reasons that mean the reply was cut off before the model finished it: OpenAI, Groq and
 * OpenAI-compatible servers say `length`, Anthropic `max_tokens` (or `model_context_window_exceeded`).
 */
const CUT_OFF = new Set(['length', 'max_tokens', 'model_context_window_exceeded']);

/** Whether a reply with this finish reason was cut off at the output limit. */
export function isCutOff(finishReason: string | undefined): boolean {
  return finishReason !== undefined && CUT_OFF.has(finishReason);
}

/**
 * The re-ask after a reply was cut off (after `outputTokens` tokens): the same answer again, complete and
 * shorter. The cut-off reply is not quoted back: the model would only continue it.
 */
export function cutOffNote(outputTokens: number, what: string): string {
  const size = outputTokens > 0 ? ` after about ${outputTokens} tokens` : '';
  return `Your previous reply was cut off at the output limit${size}, so it was incomplete and could not be used. Reply again with the complete ${what}, shorter: keep every text brief and leave out anything that is not needed, so that the whole ${what} fits well within the limit.`;
}

/** Why a call failed when its re-ask was cut off too (the user reads it in the step's failure). */
export function cutOffMessage(finishReason: string): string {
  return `the model's answer was cut off at its output limit (finish reason "${finishReason}"), also when asked again for a shorter one; a model with a larger output limit, or a smaller request, is needed`;
}
