/**
 * Finds the JSON object in a model's reply. Native JSON modes usually return bare JSON, but real models
 * (small local ones above all, and any model in a plain JSON mode) wrap it: a Markdown fence, a sentence
 * before it ("Here is the plan:"), a remark after it, a reasoning block (`<think>…</think>`) first. The
 * candidates are returned best first; the caller keeps the first one its schema accepts.
 */

/** A piece of the reply that parses as JSON. */
export interface JsonCandidate {
  value: unknown;
  /** The JSON's own text, to rank candidates by size when none is accepted. */
  source: string;
}

export interface ExtractedJson {
  candidates: JsonCandidate[];
  /** Why nothing parsed (the parse error of the likeliest piece), when there is no candidate. */
  error: string | null;
}

/** Reasoning models (DeepSeek-R1, Qwen3 and their kin) think aloud before answering. */
const REASONING = /<(think|thinking)>[\s\S]*?<\/\1>/gi;

/** Fenced blocks: ```json … ```, ``` … ```, ```JSON … ``` (any language tag). */
const FENCE = /```[\w-]*[ \t]*\r?\n([\s\S]*?)\r?\n[ \t]*```/g;

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : 'parse error' };
  }
}

/**
 * The end (exclusive) of the balanced `{…}` that starts at `start`, reading JSON strings as strings (a
 * brace inside one does not count); -1 when the text ends first (a cut-off reply).
 */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * The top-level `{…}` pieces of prose, in order. Only top-level ones: an object nested in a cut-off one
 * is a fragment of the answer, never the answer.
 */
function bareObjects(text: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf('{'); at >= 0;) {
    const end = objectEnd(text, at);
    if (end < 0) {
      out.push(text.slice(at));
      break;
    }
    out.push(text.slice(at, end));
    at = text.indexOf('{', end);
  }
  return out;
}

/** The JSON candidates of a reply, best first: the whole reply, its fenced blocks, bare objects in prose. */
export function extractJson(reply: string): ExtractedJson {
  const text = reply.replace(REASONING, '').trim();
  const pieces = [text, ...[...text.matchAll(FENCE)].map((m) => m[1]!.trim()), ...bareObjects(text)];
  const candidates: JsonCandidate[] = [];
  const seen = new Set<string>();
  let error: { error: string; size: number } | null = null;
  for (const piece of pieces) {
    if (piece === '' || seen.has(piece)) continue;
    seen.add(piece);
    const parsed = tryParse(piece);
    if (parsed.ok) candidates.push({ value: parsed.value, source: piece });
    // The error worth quoting is the one of the biggest piece that looks like an object.
    else if (piece.startsWith('{') && piece.length > (error?.size ?? -1))
      error = { error: parsed.error, size: piece.length };
  }
  if (candidates.length > 0) return { candidates, error: null };
  return { candidates, error: error?.error ?? (text ? 'it contains no JSON object' : 'it is empty') };
}
