/**
 * The fixture's script: the replies it gives, in order, per API key. Tests (and the offline demo) give
 * each run a key of its own, so concurrent runs against one fixture never take each other's replies.
 * Plain data with no Node imports, so code inside workerd can import the types to build scripts.
 */

/** A fault the fixture injects instead of (or in the middle of) a normal reply. */
export type Fault =
  /** 429 with `retry-after` (seconds) and, when given, `retry-after-ms`. */
  | { kind: 'rate_limit'; retryAfter?: number; retryAfterMs?: number }
  /** A 5xx in the provider's error shape (500 by default; Anthropic's 529 is "overloaded"). */
  | { kind: 'server_error'; status?: number }
  /** The response starts (headers, the first chunks) and the connection is then cut. */
  | { kind: 'stream_cut'; afterChunks?: number }
  /** A 200 whose body is not JSON at all. */
  | { kind: 'malformed' }
  /** A normal reply whose content is not valid JSON (for a structured-output request). */
  | { kind: 'invalid_json' }
  /**
   * Groq's refusal of a reply that is not valid JSON in JSON mode: a 400 `json_validate_failed` whose
   * `failed_generation` is the reply's `text` (chat-completions providers only).
   */
  | { kind: 'json_validate_failed' };

/** Token counts the reply reports; anything left out is estimated from the text (about 4 characters a token). */
export interface ScriptedUsage {
  /** Every prompt token, the cached ones included (Anthropic's reply splits them as Anthropic does). */
  input?: number;
  output?: number;
  cached?: number;
}

/** A tool call in a reply (OpenAI `tool_calls`, Anthropic `tool_use`). */
export interface ScriptedToolCall {
  name: string;
  arguments: unknown;
}

/** One scripted reply. */
export interface ScriptedReply {
  /** Only answers a request that matches: its model, and/or a substring of its messages' text. */
  match?: { model?: string; contains?: string };
  /** The assistant's text. */
  text?: string;
  /** A JSON value: the text of a JSON-schema reply, or the input of the forced tool (Anthropic). */
  json?: unknown;
  toolCalls?: ScriptedToolCall[];
  usage?: ScriptedUsage;
  /** Overrides the finish reason (`stop`, `length`, `end_turn`, `max_tokens`...). */
  finishReason?: string;
  /** Streamed text is sent in this many chunks (default: about 8 characters each). */
  chunks?: number;
  /** Milliseconds before the reply and between streamed chunks (default 0). */
  delayMs?: number;
  fault?: Fault;
  /** Answers this many requests before it is used up (default 1). */
  times?: number;
}

/** What the fixture needs of a request to pick its reply. */
export interface RequestFacts {
  model: string;
  /** Every message's text, concatenated. */
  text: string;
}

/** The key under which replies answer requests of any key that has no script of its own. */
export const ANY_KEY = '*';

interface Entry {
  reply: ScriptedReply;
  left: number;
}

function matches(reply: ScriptedReply, facts: RequestFacts): boolean {
  const m = reply.match;
  if (!m) return true;
  if (m.model !== undefined && m.model !== facts.model) return false;
  if (m.contains !== undefined && !facts.text.includes(m.contains)) return false;
  return true;
}

/** The scripts of all keys. */
export class ScriptStore {
  private readonly byKey = new Map<string, Entry[]>();

  /** Appends replies to the script of `key` (or {@link ANY_KEY}). */
  add(key: string, replies: ScriptedReply[]): void {
    const list = this.byKey.get(key) ?? [];
    for (const reply of replies) list.push({ reply, left: Math.max(1, reply.times ?? 1) });
    this.byKey.set(key, list);
  }

  /** Forgets the script of `key`, or every script. */
  clear(key?: string): void {
    if (key === undefined) this.byKey.clear();
    else this.byKey.delete(key);
  }

  /** Replies not used yet, per key (tests check that a script was consumed). */
  pending(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, list] of this.byKey) out[key] = list.reduce((n, e) => n + e.left, 0);
    return out;
  }

  /**
   * Takes the first reply of the key's script that matches the request (falling back to the
   * {@link ANY_KEY} script), or null when none does.
   */
  take(key: string | null, facts: RequestFacts): ScriptedReply | null {
    for (const k of key !== null ? [key, ANY_KEY] : [ANY_KEY]) {
      const list = this.byKey.get(k);
      const index = list?.findIndex((e) => matches(e.reply, facts)) ?? -1;
      if (!list || index < 0) continue;
      const entry = list[index]!;
      entry.left -= 1;
      if (entry.left <= 0) list.splice(index, 1);
      return entry.reply;
    }
    return null;
  }
}

/** Checks a script posted over HTTP; returns a message for the first problem, or null. */
export function scriptProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'replies must be an array';
  for (const [i, r] of value.entries()) {
    if (typeof r !== 'object' || r === null) return `replies[${i}] must be an object`;
    const reply = r as Record<string, unknown>;
    if (reply.text !== undefined && typeof reply.text !== 'string')
      return `replies[${i}].text must be a string`;
    if (reply.toolCalls !== undefined && !Array.isArray(reply.toolCalls))
      return `replies[${i}].toolCalls must be an array`;
    const fault = reply.fault as { kind?: unknown } | undefined;
    const kinds = [
      'rate_limit',
      'server_error',
      'stream_cut',
      'malformed',
      'invalid_json',
      'json_validate_failed',
    ];
    if (fault !== undefined && !kinds.includes(String(fault?.kind)))
      return `replies[${i}].fault.kind must be one of ${kinds.join(', ')}`;
  }
  return null;
}

/** The fixture's token estimate: about 4 characters a token, at least 1 for any text. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

/** Splits text into the chunks a stream sends. */
export function chunkText(text: string, chunks?: number): string[] {
  if (text.length === 0) return [];
  const size = chunks ? Math.max(1, Math.ceil(text.length / chunks)) : 8;
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
