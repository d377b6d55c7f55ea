/**
 * The price table: what a call costs, in micro-dollars (integers, so sums are exact).
 *
 * Prices are US dollars per million tokens, which makes the arithmetic exact: a token priced at
 * $P per million costs P micro-dollars. Which price applies to a model (a family's list price for its
 * dated variants, a person's own price, or none) is the one rule of `price-rule.ts`, shared with the UI.
 *
 * A model the table does not list has no known price, and its cost is unknown (null), never a guess
 * and never zero: a self-hosted model may cost nothing or a lot, and a new hosted model's price is not
 * the price of another. A person may give such a model a price of their own (Settings), which then
 * prices its calls.
 */
import type { LlmUsage } from '../core/ports.ts';
import { PROVIDER_IDS, type ProviderId } from './models.ts';
import { priceRuleFor, type PriceSource } from './price-rule.ts';

/** Dollars per million tokens. `cachedInput` applies to the cached part of the prompt. */
export interface Price {
  input: number;
  cachedInput: number;
  output: number;
}

/** Where a call's price came from: the list below, or the person's own price for the model. */
export type PricedBy = PriceSource;

/** A price as a candidate of the rule. */
interface PriceRule {
  source: PriceSource;
  name: string;
  price: Price;
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
  // Self-hosted servers (Ollama, vLLM, LM Studio): only their operator knows what a token costs.
  'openai-compatible': {},
};

/** The list prices of each provider as rules, built once. */
const LIST_RULES: ReadonlyMap<ProviderId, readonly PriceRule[]> = new Map(
  PROVIDER_IDS.map((provider) => [
    provider,
    Object.entries(PRICES[provider]).map(([name, price]): PriceRule => ({ source: 'list', name, price })),
  ]),
);
const listRules = (provider: ProviderId): readonly PriceRule[] => LIST_RULES.get(provider) ?? [];

/** The list price of a model (its family's, see `price-rule.ts`), or null when not listed. */
export function listPrice(provider: ProviderId, model: string): Price | null {
  return priceRuleFor(model, listRules(provider))?.price ?? null;
}

/** A person's own price for a model, in micro-dollars per million tokens (integers, as stored). */
export interface OwnPrice {
  inputMicrosPerMillion: number;
  outputMicrosPerMillion: number;
}

/**
 * A person's own price as a {@link Price}. The prompt's cached part is charged at the input price: a
 * self-set price has one input rate.
 */
export function customPrice(own: OwnPrice): Price {
  const input = own.inputMicrosPerMillion / 1_000_000;
  return { input, cachedInput: input, output: own.outputMicrosPerMillion / 1_000_000 };
}

/** A call's price as it is known: the list price wins, then the person's own, else none. */
export function knownPrice(
  provider: ProviderId,
  model: string,
  custom: Price | null,
): { price: Price; pricedBy: PricedBy } | null {
  const own: PriceRule[] = custom ? [{ source: 'custom', name: model, price: custom }] : [];
  const rule = priceRuleFor(model, [...listRules(provider), ...own]);
  return rule ? { price: rule.price, pricedBy: rule.source } : null;
}

/** The cost of `usage` at `price` in micro-dollars, rounded up (never undercharge a budget). */
export function costAt(price: Price, usage: LlmUsage): number {
  const cached = Math.min(usage.cachedTokens, usage.inputTokens);
  const raw =
    (usage.inputTokens - cached) * price.input +
    cached * price.cachedInput +
    usage.outputTokens * price.output;
  return Math.max(0, Math.ceil(raw - 1e-9));
}

/** The cost of a call at its list price; null when the model has none. */
export function costMicros(provider: ProviderId, model: string, usage: LlmUsage): number | null {
  const price = listPrice(provider, model);
  return price ? costAt(price, usage) : null;
}
