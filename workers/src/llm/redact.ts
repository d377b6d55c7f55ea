/**
 * Scrubs API keys out of text before it can reach an error, a log or an event. Two nets: the exact keys
 * in use (registered when a key is resolved), and the shapes of providers' keys, for anything else.
 */

/** Shapes of provider keys: OpenAI `sk-...`/`sk-proj-...`, Anthropic `sk-ant-...`, Groq `gsk_...`. */
const KEY_SHAPES =
  /\b(?:sk-ant-[A-Za-z0-9_-]{6,}|sk-(?:proj-)?[A-Za-z0-9_-]{12,}|gsk_[A-Za-z0-9]{12,}|Bearer\s+[A-Za-z0-9._~+/=-]{8,})/g;

// Keys seen in this isolate. Only their presence matters (to scrub them); bounded so it cannot grow.
const known = new Set<string>();
const MAX_KNOWN = 256;

/** Registers a key so that any text containing it is scrubbed (keys shorter than 8 chars are ignored). */
export function rememberSecret(secret: string): void {
  if (secret.length < 8 || known.has(secret)) return;
  if (known.size >= MAX_KNOWN) known.delete(known.values().next().value as string);
  known.add(secret);
}

/** The text with every known key and anything shaped like a key replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out.replace(KEY_SHAPES, '[redacted]');
}
