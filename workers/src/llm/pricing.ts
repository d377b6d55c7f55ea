/**
 * The price table: what a call costs, in micro-dollars (integers, so sums are exact).
 *
 * Prices are US dollars per million tokens, which makes the arithmetic exact: a token priced at
 * $P per million costs P micro-dollars. Models are matched by their longest known prefix, so dated
 * variants (`claude-sonnet-4-20250514`) find their family.
 */
import type { LlmUsage } from '../core/ports.ts';
import type { ProviderId } from './models.ts';

/** Dollars per million tokens. `cachedInput` applies to the cached part of the prompt. */
export interface Price {
  input: number;
  cachedInput: number;
  output: number;
}

const p = (input: number, cachedInput: number, output: number): Price => ({ input, cachedInput, output });

/** List prices (USD per 1M tokens) of the models the defaults and the catalog use. */
export const PRICES: Readonly<Record<ProviderId, Readonly<Record<string, Price>>>> = {
  openai: {
    'gpt-4.1': p(2, 0.5, 8),
    'gpt-4.1-mini': p(0.4, 0.1, 1.6),
    'gpt-4.1-nano': p(0.1, 0.025, 0.4),
    'gpt-4o': p(2.5, 1.25, 10),
    'gpt-4o-mini': p(0.15, 0.075, 0.6),
    'o4-mini': p(1.1, 0.275, 4.4),
  },
  anthropic: {
    'claude-opus-4': p(15, 1.5, 75),
    'claude-sonnet-4': p(3, 0.3, 15),
    'claude-3-7-sonnet': p(3, 0.3, 15),
    'claude-3-5-haiku': p(0.8, 0.08, 4),
  },
  groq: {
    'llama-3.3-70b-versatile': p(0.59, 0.59, 0.79),
    'llama-3.1-8b-instant': p(0.05, 0.05, 0.08),
    'openai/gpt-oss-120b': p(0.15, 0.15, 0.75),
    'openai/gpt-oss-20b': p(0.1, 0.1, 0.5),
  },
  // Self-hosted servers (Ollama, vLLM, LM Studio) cost the platform nothing per token.
  compatible: {},
};

/**
 * What an unknown model of a provider is charged: its most expensive known model, so a budget still
 * holds when a user picks a model the table does not list yet.
 */
const FALLBACK: Readonly<Record<ProviderId, Price>> = {
  openai: p(15, 7.5, 60),
  anthropic: p(15, 1.5, 75),
  groq: p(0.79, 0.79, 0.99),
  compatible: p(0, 0, 0),
};

/** The price of a model: its longest matching prefix in the table, else the provider's fallback. */
export function priceOf(provider: ProviderId, model: string): Price {
  const table = PRICES[provider];
  let best: string | null = null;
  for (const name of Object.keys(table)) {
    if ((model === name || model.startsWith(`${name}-`)) && (best === null || name.length > best.length)) {
      best = name;
    }
  }
  return best !== null ? table[best]! : FALLBACK[provider];
}

/**
 * Whether a model's calls have a price: a model of the table, or a provider whose unknown models are
 * charged its fallback. A self-hosted model has none: its calls count as 0, which means "unknown".
 */
export function hasKnownPrice(provider: ProviderId, model: string): boolean {
  const fallback = FALLBACK[provider];
  if (fallback.input > 0 || fallback.output > 0) return true;
  return Object.keys(PRICES[provider]).some((name) => model === name || model.startsWith(`${name}-`));
}

/** The cost of a call in micro-dollars, rounded up (never undercharge a budget). */
export function costMicros(provider: ProviderId, model: string, usage: LlmUsage): number {
  const price = priceOf(provider, model);
  const cached = Math.min(usage.cachedTokens, usage.inputTokens);
  const raw =
    (usage.inputTokens - cached) * price.input +
    cached * price.cachedInput +
    usage.outputTokens * price.output;
  return Math.max(0, Math.ceil(raw - 1e-9));
}
