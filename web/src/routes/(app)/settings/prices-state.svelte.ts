import { describeFailure } from '$lib/api/errors.ts';
import { listPrices, removePrice, setPrice, type PriceList } from '$lib/api/prices.ts';

/** The prices part of Settings: the user's own prices and the models used without a price. */
export class PricesState {
  list = $state<PriceList | null>(null);
  loadError = $state('');

  async load(signal?: AbortSignal): Promise<void> {
    this.loadError = '';
    try {
      this.list = await listPrices(signal);
    } catch (error) {
      if (!signal?.aborted) this.loadError = describeFailure(error);
    }
  }

  /** Sets a price (errors are thrown for the form); answers how many earlier calls it priced. */
  async set(model: string, inputMicrosPerMillion: number, outputMicrosPerMillion: number): Promise<number> {
    const result = await setPrice({ model, inputMicrosPerMillion, outputMicrosPerMillion });
    await this.load();
    return result.repricedCalls;
  }

  async remove(model: string): Promise<void> {
    await removePrice(model);
    await this.load();
  }
}
