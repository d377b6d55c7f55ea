/**
 * Test only: replies in the shapes real models send, for the LLM fixture to serve over each provider's
 * wire format. Written by hand after the habits of models of several sizes: a mid-size model in a plain
 * JSON mode fences its JSON and adds a remark; a small local model (7B, no grammar) writes a sentence
 * before the JSON and an offer after it; a local reasoning model thinks aloud first (braces included);
 * any model stops at its output limit mid-string (`finish_reason: "length"`), and Anthropic's forced
 * tool then carries only the part of the input that was complete (`stop_reason: "max_tokens"`).
 */
import type { ScriptedReply } from '../../../../../infra/llm-fixture/fixture.ts';

type Match = ScriptedReply['match'];

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** A mid-size model in JSON mode without a schema: a ```json fence, then a remark. */
export function fenced(match: Match, value: unknown, remark = ''): ScriptedReply {
  return { match, text: `\`\`\`json\n${pretty(value)}\n\`\`\`${remark ? `\n\n${remark}` : ''}` };
}

/** A small local model: a sentence before the JSON (not fenced), an offer after it. */
export function proseWrapped(match: Match, value: unknown, lead: string, tail: string): ScriptedReply {
  return { match, text: `${lead}\n\n${pretty(value)}\n\n${tail}` };
}

/** A local reasoning model: it thinks aloud (sketching objects of its own), then fences the answer. */
export function afterReasoning(match: Match, value: unknown, thoughts: string): ScriptedReply {
  return { match, text: `<think>\n${thoughts}\n</think>\n\n\`\`\`json\n${pretty(value)}\n\`\`\`` };
}

/**
 * A chat-completions model stopped by its output limit: the pretty JSON ends right after `marker` (a
 * piece of a string value), so it is cut mid-string, with `finish_reason: "length"`.
 */
export function cutOff(match: Match, value: unknown, marker: string): ScriptedReply {
  const text = pretty(value);
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`the marker ${JSON.stringify(marker)} is not in the reply`);
  return { match, text: text.slice(0, at + marker.length), finishReason: 'length' };
}

/** Anthropic's forced tool stopped by `max_tokens`: the input holds only what was complete. */
export function toolCutOff(match: Match, partialInput: unknown): ScriptedReply {
  return { match, json: partialInput, finishReason: 'max_tokens' };
}

/** A text answer (Markdown) stopped by the output limit after `text`. */
export function textCutOff(match: Match, text: string): ScriptedReply {
  return { match, text, finishReason: 'length' };
}
