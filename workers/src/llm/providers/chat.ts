/**
 * The chat-completions shape shared by OpenAI, Groq and OpenAI-compatible servers: reading a
 * completion or a stream of chunks into a {@link ProviderResult}. Structural types, so both SDKs' own
 * types fit.
 */
import type { LlmUsage } from '../../core/ports.ts';
import { LlmError } from '../errors.ts';
import type { ProviderCall, ProviderResult } from './types.ts';

interface UsageLike {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

interface CompletionLike {
  choices: { message: { content: string | null }; finish_reason: string | null }[];
  usage?: UsageLike | null;
}

interface ChunkLike {
  choices: { delta?: { content?: string | null } | null; finish_reason?: string | null }[];
  usage?: UsageLike | null;
  x_groq?: { usage?: UsageLike | null } | null;
}

const NO_USAGE: LlmUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };

function usageOf(u: UsageLike | null | undefined): LlmUsage {
  if (!u) return NO_USAGE;
  return {
    inputTokens: u.prompt_tokens,
    outputTokens: u.completion_tokens,
    cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

/** The chat messages of a call. */
export function chatMessages(call: ProviderCall) {
  return call.messages.map((m) => ({ role: m.role, content: m.content }));
}

/** A non-streamed completion. */
export function readCompletion(provider: string, completion: CompletionLike): ProviderResult {
  const choice = completion.choices[0];
  if (!choice) throw new LlmError('provider_error', provider, `${provider} returned no choice`);
  return {
    text: choice.message.content ?? '',
    usage: usageOf(completion.usage),
    finishReason: choice.finish_reason ?? 'stop',
  };
}

/**
 * A stream of chunks: text is forwarded as it arrives; usage comes from the final usage chunk (OpenAI,
 * compatible servers) or `x_groq.usage` (Groq). A stream that ends without a finish reason was cut.
 */
export async function readStream(
  provider: string,
  stream: AsyncIterable<ChunkLike>,
  onDelta: (text: string) => void,
): Promise<ProviderResult> {
  let text = '';
  let finish: string | null = null;
  let usage: LlmUsage | null = null;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    const piece = choice?.delta?.content;
    if (piece) {
      text += piece;
      onDelta(piece);
    }
    if (choice?.finish_reason) finish = choice.finish_reason;
    const u = chunk.usage ?? chunk.x_groq?.usage;
    if (u) usage = usageOf(u);
  }
  if (finish === null)
    throw new LlmError('provider_error', provider, `${provider}'s stream ended before the reply did`);
  return { text, usage: usage ?? NO_USAGE, finishReason: finish };
}
