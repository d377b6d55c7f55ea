/**
 * Structured outputs: a zod schema becomes the JSON schema a provider's native mode takes (OpenAI's and
 * Groq's `json_schema` response format, Anthropic's forced tool); what comes back is found in the reply
 * (a fence, prose or a reasoning block around it: `json-extract.ts`), trimmed where the schema allows
 * (`core/output-limits.ts`) and validated with the same zod schema. A reply that does not validate is
 * answered with one re-ask that quotes the error, limits stated; a reply cut off at the output limit is
 * re-asked for a shorter answer, never parsed.
 */
import { z, type ZodType } from 'zod';
import { cutOffNote } from '../core/cut-off.ts';
import { trimmable } from '../core/output-limits.ts';
import type { LlmMessage } from '../core/ports.ts';
import { extractJson } from './json-extract.ts';

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

type Path = readonly PropertyKey[];

/** The value at `path` in `root`. */
function at(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) node = (node as Record<PropertyKey, unknown> | null)?.[key];
  return node;
}

/** A limit issue, with what the reply had, in words a model can act on. */
function describeTooBig(issue: z.core.$ZodIssueTooBig, value: unknown): string | null {
  const actual = at(value, issue.path);
  if (issue.origin === 'array' && Array.isArray(actual))
    return `${actual.length} items where at most ${issue.maximum} are allowed: fit the answer within the limit (merge related items, leave out the least important) instead of cutting it off`;
  if (issue.origin === 'string' && typeof actual === 'string')
    return `${actual.length} characters where at most ${issue.maximum} are allowed: say it shorter`;
  return null;
}

/** The first few validation issues, in a form a model can act on. */
function describeIssues(error: z.ZodError, value: unknown): string {
  return error.issues
    .slice(0, 8)
    .map((i) => {
      const where = i.path.length ? i.path.join('.') : '(root)';
      const detail = i.code === 'too_big' ? describeTooBig(i, value) : null;
      return `${where}: ${detail ?? i.message}`;
    })
    .join('; ');
}

function matchesRule(path: Path, rule: string): boolean {
  const parts = rule.split('.');
  return (
    parts.length === path.length &&
    parts.every((p, i) => (p === '*' ? typeof path[i] === 'number' : p === String(path[i])))
  );
}

/** `text` cut to at most `max` characters, at a word boundary where one is near, marked with an ellipsis. */
function shorten(text: string, max: number): string {
  const cut = text.slice(0, Math.max(0, max - 1));
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * A copy of `value` with the over-limit arrays and strings the schema lets be trimmed cut to their
 * maximum; null when no issue is one of those.
 */
function trimmed(schema: ZodType, value: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const rules = trimmable.get(schema)?.paths ?? [];
  const cuts = issues.filter(
    (i): i is z.core.$ZodIssueTooBig =>
      i.code === 'too_big' && i.path.length > 0 && rules.some((r) => matchesRule(i.path, r)),
  );
  if (cuts.length === 0) return null;
  const copy = structuredClone(value);
  for (const issue of cuts) {
    const parent = at(copy, issue.path.slice(0, -1)) as Record<PropertyKey, unknown> | null;
    const key = issue.path.at(-1)!;
    const node = parent?.[key];
    const max = Number(issue.maximum);
    if (Array.isArray(node)) parent![key] = node.slice(0, max);
    else if (typeof node === 'string') parent![key] = shorten(node, max);
  }
  return copy;
}

/** Trim passes at most: zod checks the items of an array only once the array itself is within bounds. */
const TRIM_PASSES = 4;

/** Validates one candidate value, trimming it first where the schema allows. */
function validate(schema: ZodType, value: unknown): Parsed {
  let current = value;
  for (let pass = 0; ; pass++) {
    const result = schema.safeParse(current);
    // The raw value, not zod's output: the engine parses the recorded object again on every (re)play,
    // which must not meet an already transformed value.
    if (result.success) return { ok: true, value: current };
    const cut = pass < TRIM_PASSES ? trimmed(schema, current, result.error.issues) : null;
    if (cut === null) return { ok: false, error: describeIssues(result.error, current) };
    current = cut;
  }
}

/**
 * Validates a structured output given as text (JSON, possibly wrapped in a fence, prose or reasoning) or
 * as an already parsed value (a tool's input). Of several JSON pieces in a text, the first the schema
 * accepts wins; when none does, the error is the biggest one's.
 */
export function parseStructured(schema: ZodType, output: { text: string } | { value: unknown }): Parsed {
  if ('value' in output) return validate(schema, output.value);
  const { candidates, error } = extractJson(output.text);
  if (candidates.length === 0) return { ok: false, error: `the reply is not valid JSON (${error})` };
  let best: { parsed: Parsed; size: number } | null = null;
  for (const candidate of candidates) {
    const parsed = validate(schema, candidate.value);
    if (parsed.ok) return parsed;
    if (!best || candidate.source.length > best.size) best = { parsed, size: candidate.source.length };
  }
  return best!.parsed;
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

/** The conversation of the re-ask after a reply was cut off at the output limit. */
export function cutOffReaskMessages(messages: LlmMessage[], outputTokens: number): LlmMessage[] {
  return [...messages, { role: 'user', content: cutOffNote(outputTokens, 'JSON object') }];
}
