/**
 * Groq through groq-sdk. Groq's native structured outputs (`json_schema`) exist only for some models;
 * the others get JSON mode (`json_object`) with the schema in the system prompt, and the reply is
 * validated the same way either way.
 */
import Groq from 'groq-sdk';
import { OUTPUT_NAME, type JsonSchema } from '../structured.ts';
import { chatMessages, readCompletion, readStream } from './chat.ts';
import { toLlmError } from './sdk-errors.ts';
import type { ProviderCall, ProviderClient, ProviderConnection, ProviderResult } from './types.ts';

/** Model families Groq documents as supporting `json_schema` structured outputs. */
const JSON_SCHEMA_MODELS = /^(openai\/gpt-oss|moonshotai\/kimi-k2|meta-llama\/llama-4)/;

function responseFormat(model: string, schema: JsonSchema) {
  return JSON_SCHEMA_MODELS.test(model)
    ? { type: 'json_schema' as const, json_schema: { name: OUTPUT_NAME, schema, strict: false } }
    : { type: 'json_object' as const };
}

function messagesFor(call: ProviderCall) {
  const messages = chatMessages(call);
  if (!call.schema || JSON_SCHEMA_MODELS.test(call.model)) return messages;
  return [
    {
      role: 'system' as const,
      content: `Reply with one JSON object that matches this JSON schema:\n${JSON.stringify(call.schema)}`,
    },
    ...messages,
  ];
}

/** A client for Groq. */
export function groqClient(conn: ProviderConnection): ProviderClient {
  const client = new Groq({
    apiKey: conn.apiKey,
    ...(conn.baseURL ? { baseURL: conn.baseURL } : {}),
    ...(conn.fetch ? { fetch: conn.fetch } : {}),
    maxRetries: 0,
    timeout: conn.timeoutMs ?? 120_000,
  });
  return {
    async call(call: ProviderCall): Promise<ProviderResult> {
      const base = {
        model: call.model,
        messages: messagesFor(call),
        // The answer's room (`context-windows.ts`).
        max_completion_tokens: call.maxTokens,
        ...(call.schema ? { response_format: responseFormat(call.model, call.schema) } : {}),
      };
      try {
        if (call.onDelta) {
          const stream = await client.chat.completions.create(
            { ...base, stream: true },
            { signal: call.signal },
          );
          return await readStream('groq', stream, call.onDelta);
        }
        return readCompletion('groq', await client.chat.completions.create(base, { signal: call.signal }));
      } catch (err) {
        throw toLlmError(err, 'groq', Groq, call.signal);
      }
    },
  };
}
