/**
 * Each model's context window (prompt and answer together, in tokens): known for the catalog's models
 * (the defaults of `models.ts`), stated by the person for others (`openai-compatible:llama3.2#8k` in any
 * model field), and otherwise the platform's default (`LLM_CONTEXT_WINDOW`) or a built-in guess per
 * provider. The agents build each call's context within it (`core/agents/context-budget.ts`).
 */
import type { ModelWindow } from '../core/ports.ts';
import { LlmError } from './errors.ts';
import type { ModelSpec, ProviderId } from './models.ts';

/** Known windows by provider, by model name or by a prefix of it (dated versions share their family's). */
const KNOWN_WINDOWS: Readonly<Record<ProviderId, readonly (readonly [string, number])[]>> = {
  openai: [
    ['gpt-4.1', 1_047_576],
    ['gpt-4o', 128_000],
    ['o3', 200_000],
    ['o4-mini', 200_000],
  ],
  anthropic: [
    ['claude-sonnet-4', 200_000],
    ['claude-opus-4', 200_000],
    ['claude-3-7-sonnet', 200_000],
    ['claude-3-5-sonnet', 200_000],
    ['claude-3-5-haiku', 200_000],
  ],
  groq: [
    ['llama-3.3-70b-versatile', 131_072],
    ['llama-3.1-8b-instant', 131_072],
  ],
  // The OpenAI-compatible default (`models.ts`): Qwen2.5-Coder 7B's window.
  'openai-compatible': [['qwen2.5-coder:7b', 32_768]],
};

/**
 * A model nobody told us about: the first-party providers' current models all have at least 128k; a
 * model on a self-hosted server is often run with a small window (a server's own default), so 8k.
 */
const UNKNOWN_WINDOW: Readonly<Record<ProviderId, number>> = {
  openai: 128_000,
  anthropic: 200_000,
  groq: 131_072,
  'openai-compatible': 8_192,
};

/** The answer's share of a small window at most: a 8k model keeps three quarters for its prompt. */
const MAX_OUTPUT_SHARE = 0.25;

/** The window the platform knows for `spec`'s model; null for a model it does not know. */
export function knownContextWindow(spec: ModelSpec): number | null {
  const known = KNOWN_WINDOWS[spec.provider].find(
    ([name]) => spec.model === name || spec.model.startsWith(`${name}-`),
  );
  return known?.[1] ?? null;
}

/** The window of `spec`: stated by the person, known, the platform's default, or the provider's guess. */
export function contextWindowOf(spec: ModelSpec, platformDefault?: number): number {
  return spec.contextTokens ?? knownContextWindow(spec) ?? platformDefault ?? UNKNOWN_WINDOW[spec.provider];
}

/**
 * The window of a call and its answer's room: the configured output cap, less in a small window so a
 * prompt still fits beside it (the call asks for no more than this).
 */
export function modelWindow(spec: ModelSpec, maxOutputTokens: number, platformDefault?: number): ModelWindow {
  const contextTokens = contextWindowOf(spec, platformDefault);
  return {
    contextTokens,
    outputTokens: Math.min(maxOutputTokens, Math.floor(contextTokens * MAX_OUTPUT_SHARE)),
  };
}

/** Reads `LLM_CONTEXT_WINDOW` (tokens, `8k` allowed); undefined when unset, throws on nonsense. */
export function parseContextWindow(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (!value) return undefined;
  const m = /^(\d+)\s*(k?)$/i.exec(value);
  const tokens = m ? Number(m[1]) * (m[2] ? 1024 : 1) : NaN;
  if (!(tokens >= 2048))
    throw new LlmError(
      'config',
      'llm',
      'LLM_CONTEXT_WINDOW must be a number of tokens of at least 2048 (or 2k)',
    );
  return tokens;
}
