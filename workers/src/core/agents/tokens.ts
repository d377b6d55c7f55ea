/**
 * Prompt token counting without a tokenizer. Why an estimate: real tokenizers are model-specific and
 * megabytes of tables, too heavy for a Worker; the providers report exact counts in the usage of every
 * call anyway (recorded with the call). This estimate is for choosing context before a call: about
 * 4 characters a token for English and code with BPE tokenizers (cl100k, o200k, Claude's), plus a few
 * tokens of framing per message. It overestimates dense code slightly, which errs on the safe side.
 */
import type { LlmMessage } from '../ports.ts';

const CHARS_PER_TOKEN = 4;
const TOKENS_PER_MESSAGE = 4;

/** Estimated tokens of a text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Estimated prompt tokens of a conversation. */
export function promptTokens(messages: readonly LlmMessage[]): number {
  return messages.reduce((n, m) => n + TOKENS_PER_MESSAGE + estimateTokens(m.content), 0);
}
