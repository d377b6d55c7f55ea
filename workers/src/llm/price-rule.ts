/**
 * How a model's price is found, in one place: the Worker prices its calls with it (`pricing.ts`) and the
 * UI shows a model's price with it (`@samokoder/workers/price-rule`). Pure: it imports nothing.
 *
 * - A list price names a model family: it applies to the model of that name and to its variants
 *   `name-…` (dated releases such as `claude-sonnet-4-20250514`); the longest matching name wins, so
 *   `gpt-4.1-mini` is not priced as `gpt-4.1`.
 * - A person's own (custom) price applies to exactly the model it names, and only where no list price
 *   applies: a listed model always costs its list price.
 * - Neither: the price is unknown (never a guess, never zero).
 */

/** Where a price comes from: the platform's list, or the person's own price for the model. */
export type PriceSource = 'list' | 'custom';

/** A price that may apply to a model: its source and the name it was given for. */
export interface PriceCandidate {
  source: PriceSource;
  name: string;
}

/** Whether a list price given for `name` applies to `model`: the model itself, or a variant `name-…`. */
export function listNameMatches(name: string, model: string): boolean {
  return model === name || model.startsWith(`${name}-`);
}

/**
 * The rule that prices `model` among `rules` (all of the model's provider, the model without its
 * provider): the list price with the longest matching name, else a custom price for exactly this
 * model; null when none applies.
 */
export function priceRuleFor<R extends PriceCandidate>(model: string, rules: Iterable<R>): R | null {
  let listed: R | null = null;
  let custom: R | null = null;
  for (const rule of rules) {
    if (rule.source === 'list') {
      if (listNameMatches(rule.name, model) && rule.name.length > (listed?.name.length ?? -1)) listed = rule;
    } else if (rule.name === model) {
      custom ??= rule;
    }
  }
  return listed ?? custom;
}
