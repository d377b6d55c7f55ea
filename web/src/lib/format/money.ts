/**
 * Money for display, with one rule: a cost that is not known is never shown as "$0.00". A call of a
 * model without a known price (a local model, a model the price table does not list and the person has
 * not priced in Settings) has a null cost; totals carry the known part and how many calls had none.
 */
import { formatMicros } from '../format.ts';

/** What an unknown cost reads as, everywhere. */
export const PRICE_UNKNOWN = 'price unknown';

/** One cost in micro-dollars: null (or undefined) is an unknown price, not zero. */
export function formatCost(micros: number | null | undefined): string {
  return micros === null || micros === undefined ? PRICE_UNKNOWN : formatMicros(micros);
}

/**
 * A total: the known part and the number of calls without a price. All unknown reads "price unknown";
 * a mix reads "$0.12 + price unknown" (the known part is a floor, not the total).
 */
export function formatCostTotal(knownMicros: number, unpricedCalls: number): string {
  if (unpricedCalls <= 0) return formatMicros(knownMicros);
  if (knownMicros <= 0) return PRICE_UNKNOWN;
  return `${formatMicros(knownMicros)} + ${PRICE_UNKNOWN}`;
}
