/**
 * Structured outputs: a zod schema becomes the JSON schema a provider's native mode takes (OpenAI's and
 * Groq's `json_schema` response format, Anthropic's forced tool); what comes back is validated with the
 * same zod schema, and a reply that does not validate is answered with one re-ask that quotes the error.
 */
import { z, type ZodType } from 'zod';
import type { LlmMessage } from '../core/ports.ts';

/** A JSON schema as providers take it. */
export type JsonSchema = Record<string, unknown>;

/** The name a structured output travels under (the tool or the `json_schema` name). */
export const OUTPUT_NAME = 'respond';

/** The JSON schema of a zod schema, without the `$schema` key that some providers refuse. */
export function jsonSchemaOf(schema: ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', unrepresentable: 'any' });
  return rest as JsonSchema;
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** Strips a Markdown fence around JSON (models add one even when told not to). */
function unfence(text: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(text);
  return (fenced ? fenced[1]! : text).trim();
}

/** The first few validation issues, in a form a model can act on. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 8)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Validates a structured output given as text (JSON) or as an already parsed value (a tool's input). */
export function parseStructured(schema: ZodType, output: { text: string } | { value: unknown }): Parsed {
  let value: unknown;
  if ('value' in output) value = output.value;
  else {
    try {
      value = JSON.parse(unfence(output.text));
    } catch (err) {
      return {
        ok: false,
        error: `the reply is not valid JSON (${err instanceof Error ? err.message : 'parse error'})`,
      };
    }
  }
  const result = schema.safeParse(value);
  // The raw value, not zod's output: the engine parses the recorded object again on every (re)play,
  // which must not meet an already transformed value.
  return result.success ? { ok: true, value } : { ok: false, error: describeIssues(result.error) };
}

/** Largest part of a rejected reply quoted back to the model. */
const MAX_QUOTED = 4_000;

/** The conversation of the one re-ask: the rejected reply and what was wrong with it. */
export function reaskMessages(messages: LlmMessage[], rejected: string, error: string): LlmMessage[] {
  return [
    ...messages,
    { role: 'assistant', content: rejected.slice(0, MAX_QUOTED) },
    {
      role: 'user',
      content: `Your reply did not match the required JSON schema: ${error}. Reply again with only the corrected JSON object.`,
    },
  ];
}
