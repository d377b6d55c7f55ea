/**
 * OpenAI and any OpenAI-compatible server (Ollama, vLLM, LM Studio) through the official openai SDK.
 * Structured outputs use the `json_schema` response format.
 */
import OpenAI from 'openai';
import { OUTPUT_NAME } from '../structured.ts';
import { chatMessages, readCompletion, readStream } from './chat.ts';
import { toLlmError } from './sdk-errors.ts';
import type { ProviderCall, ProviderClient, ProviderConnection, ProviderResult } from './types.ts';

/** A client for OpenAI (`provider` 'openai') or an OpenAI-compatible server ('openai-compatible'). */
export function openAiClient(
  provider: 'openai' | 'openai-compatible',
  conn: ProviderConnection,
): ProviderClient {
  const client = new OpenAI({
    apiKey: conn.apiKey,
    ...(conn.baseURL ? { baseURL: conn.baseURL } : {}),
    ...(conn.fetch ? { fetch: conn.fetch } : {}),
    // Retries are the layer's own (retry.ts): one policy for every provider, cancellable, bounded.
    maxRetries: 0,
    timeout: conn.timeoutMs ?? 120_000,
  });
  return {
    async call(call: ProviderCall): Promise<ProviderResult> {
      const base = {
        model: call.model,
        messages: chatMessages(call),
        // The answer's room (`context-windows.ts`): OpenAI's name for it, and the one older compatible
        // servers (Ollama, llama.cpp) read; a server with a small window then never lets an answer
        // push the prompt out of it.
        ...(provider === 'openai'
          ? { max_completion_tokens: call.maxTokens }
          : { max_tokens: call.maxTokens }),
        ...(call.schema
          ? {
              response_format: {
                type: 'json_schema' as const,
                json_schema: { name: OUTPUT_NAME, schema: call.schema, strict: false },
              },
            }
          : {}),
      };
      try {
        if (call.onDelta) {
          const stream = await client.chat.completions.create(
            { ...base, stream: true, stream_options: { include_usage: true } },
            { signal: call.signal },
          );
          return await readStream(provider, stream, call.onDelta);
        }
        return readCompletion(provider, await client.chat.completions.create(base, { signal: call.signal }));
      } catch (err) {
        throw toLlmError(err, provider, OpenAI, call.signal);
      }
    },
  };
}
