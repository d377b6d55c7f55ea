/**
 * Anthropic through @anthropic-ai/sdk. System messages become the `system` parameter; structured
 * outputs use Anthropic's native way, a forced tool whose input schema is the output's schema.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { LlmUsage } from '../../core/ports.ts';
import { LlmError } from '../errors.ts';
import { OUTPUT_NAME } from '../structured.ts';
import { toLlmError } from './sdk-errors.ts';
import type { ProviderCall, ProviderClient, ProviderConnection, ProviderResult } from './types.ts';

interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/** Anthropic counts cache reads apart from `input_tokens`; the layer counts every prompt token as input. */
function usageOf(u: AnthropicUsage, outputTokens = u.output_tokens): LlmUsage {
  const cached = u.cache_read_input_tokens ?? 0;
  return {
    inputTokens: u.input_tokens + cached + (u.cache_creation_input_tokens ?? 0),
    outputTokens,
    cachedTokens: cached,
  };
}

function params(call: ProviderCall) {
  const system = call.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const messages = call.messages
    .filter((m) => m.role !== 'system')
    .map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
  return {
    model: call.model,
    max_tokens: call.maxTokens,
    messages,
    ...(system ? { system } : {}),
    ...(call.schema
      ? {
          tools: [
            {
              name: OUTPUT_NAME,
              description: 'Give your answer as the input of this tool.',
              input_schema: { ...call.schema, type: 'object' as const },
            },
          ],
          tool_choice: { type: 'tool' as const, name: OUTPUT_NAME },
        }
      : {}),
  };
}

async function streamed(
  client: Anthropic,
  call: ProviderCall,
  onDelta: (text: string) => void,
): Promise<ProviderResult> {
  const stream = await client.messages.create({ ...params(call), stream: true }, { signal: call.signal });
  let text = '';
  let json = '';
  let start: AnthropicUsage | null = null;
  let outputTokens = 0;
  let stop: string | null = null;
  let ended = false;
  for await (const event of stream) {
    if (event.type === 'message_start') start = event.message.usage;
    else if (event.type === 'content_block_delta') {
      if (event.delta.type === 'text_delta') {
        text += event.delta.text;
        onDelta(event.delta.text);
      } else if (event.delta.type === 'input_json_delta') json += event.delta.partial_json;
    } else if (event.type === 'message_delta') {
      stop = event.delta.stop_reason ?? stop;
      outputTokens = event.usage.output_tokens;
    } else if (event.type === 'message_stop') ended = true;
  }
  if (!ended || !start)
    throw new LlmError('provider_error', 'anthropic', "anthropic's stream ended before the reply did");
  const usage = usageOf(start, outputTokens);
  if (call.schema && json) return { text: json, usage, finishReason: stop ?? 'end_turn' };
  return { text, usage, finishReason: stop ?? 'end_turn' };
}

/** A client for Anthropic. */
export function anthropicClient(conn: ProviderConnection): ProviderClient {
  const client = new Anthropic({
    apiKey: conn.apiKey,
    ...(conn.baseURL ? { baseURL: conn.baseURL } : {}),
    ...(conn.fetch ? { fetch: conn.fetch } : {}),
    maxRetries: 0,
    timeout: conn.timeoutMs ?? 120_000,
  });
  return {
    async call(call: ProviderCall): Promise<ProviderResult> {
      try {
        if (call.onDelta) return await streamed(client, call, call.onDelta);
        const message = await client.messages.create(params(call), { signal: call.signal });
        const usage = usageOf(message.usage);
        const finishReason = message.stop_reason ?? 'end_turn';
        const tool = message.content.find((b) => b.type === 'tool_use');
        if (call.schema && tool)
          return { text: JSON.stringify(tool.input), value: tool.input, usage, finishReason };
        const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
        return { text, usage, finishReason };
      } catch (err) {
        throw toLlmError(err, 'anthropic', Anthropic, call.signal);
      }
    },
  };
}
