/**
 * Model names as the model fields read them: `provider:model`, the provider in any case or by another
 * name it has (`compatible:`), made canonical the way the API stores them. The providers and their
 * other names come from the API (`/api/models`), so there is one list of them.
 */
import { priceRuleFor } from '@samokoder/workers/price-rule';
import type { ModelChoice, PriceRule, ProviderInfo } from '$lib/api/models.ts';

/** `provider:model` with the canonical provider name, or null when the text is not a model. */
export function canonicalModel(text: string, providers: readonly ProviderInfo[]): string | null {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  if (colon <= 0) return null;
  const typed = trimmed.slice(0, colon).trim().toLowerCase();
  const model = trimmed.slice(colon + 1).trim();
  const provider = providers.find((p) => p.id === typed || p.aliases.includes(typed));
  return provider && model ? `${provider.id}:${model}` : null;
}

/** A model's price: per million tokens, and whether it is the list's or the person's own. */
export type ModelPrice = NonNullable<ModelChoice['price']>;

/**
 * The price of a canonical `provider:model` by the rules the API sent, found as the Worker prices a
 * call (the one rule of `@samokoder/workers/price-rule`); null when none applies (the price is unknown).
 */
export function priceOf(model: string, rules: readonly PriceRule[]): ModelPrice | null {
  const colon = model.indexOf(':');
  const provider = model.slice(0, colon);
  // A stated context window (`#8k`) is not part of the model's name.
  const rule = priceRuleFor(
    model.slice(colon + 1).replace(/\s*#[^#]*$/, ''),
    rules.filter((r) => r.provider === provider),
  );
  return rule
    ? {
        inputMicrosPerMillion: rule.inputMicrosPerMillion,
        outputMicrosPerMillion: rule.outputMicrosPerMillion,
        source: rule.source,
      }
    : null;
}

/** Per million tokens, from micro-dollars per million: "$0.50". */
export function perMillion(micros: number): string {
  const dollars = micros / 1_000_000;
  return `$${dollars.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
}

/** A price as a line: "$2.00 in · $8.00 out per million tokens", or null when unknown. */
export function priceLine(price: ModelPrice | null): string | null {
  if (!price) return null;
  return `${perMillion(price.inputMicrosPerMillion)} in · ${perMillion(price.outputMicrosPerMillion)} out per million tokens`;
}
