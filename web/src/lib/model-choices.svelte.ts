import { describeFailure } from '$lib/api/errors.ts';
import { fetchModelChoices, type ModelChoice, type PriceRule, type ProviderInfo } from '$lib/api/models.ts';
import { canonicalModel, priceOf, type ModelPrice } from '$lib/models.ts';

/** The models a page's model fields offer (loaded once), and what is known of a typed one. */
export class ModelChoicesState {
  items = $state<ModelChoice[]>([]);
  providers = $state<ProviderInfo[]>([]);
  prices = $state<PriceRule[]>([]);
  error = $state('');
  loaded = $state(false);
  /** Loads overlap (a key tested while the page loads): only the latest one's answer is kept. */
  #latest = 0;

  async load(signal?: AbortSignal): Promise<void> {
    const run = ++this.#latest;
    this.error = '';
    try {
      const choices = await fetchModelChoices(signal);
      if (run !== this.#latest) return;
      this.items = choices.items;
      this.providers = choices.providers;
      this.prices = choices.prices;
      this.loaded = true;
    } catch (error) {
      if (!signal?.aborted && run === this.#latest) this.error = describeFailure(error);
    }
  }

  /** The canonical form of what was typed (null: not a model, or the providers are not loaded yet). */
  canonical(text: string): string | null {
    return canonicalModel(text, this.providers);
  }

  /** The price of the model a typed text names, offered or not; null when it is unknown. */
  priceOf(text: string): ModelPrice | null {
    const model = this.canonical(text);
    return model ? priceOf(model, this.prices) : null;
  }
}
