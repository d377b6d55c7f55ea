/**
 * The project owner's own prices (Settings) for the LLM layer: read from Postgres when a call's model
 * has no list price, so a price set in the middle of a run prices the run's next call.
 */
import type { Bindings } from '../env.ts';
import { openDb } from '../platform/deps.ts';
import { ownPrice } from '../settings/prices.ts';
import type { ProviderId } from './models.ts';
import { customPrice, type Price } from './pricing.ts';

/** The owner's price for a model, or null (none, or no database configured). */
export function userPriceSource(
  env: Bindings,
  ownerId: string,
): (provider: ProviderId, model: string) => Promise<Price | null> {
  return async (provider, model) => {
    if (!env.DATABASE_URL) return null;
    const handle = await openDb(env);
    try {
      const own = await ownPrice(handle.db, ownerId, { provider, model });
      return own ? customPrice(own) : null;
    } finally {
      await handle.close();
    }
  };
}
