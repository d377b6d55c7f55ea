import { z } from '@hono/zod-openapi';
import { ModelSpec } from './projects-schemas.ts';

/** $1,000 per million tokens, in micro-dollars: above any model's price. */
export const MAX_PRICE_MICROS_PER_MILLION = 1_000_000_000;

const PerMillion = (what: string) =>
  z
    .number()
    .int('Give the price in whole micro-dollars per million tokens.')
    .min(0, 'A price cannot be negative.')
    .max(MAX_PRICE_MICROS_PER_MILLION, 'A price is at most $1,000 per million tokens.')
    .openapi({ description: `USD per million ${what} tokens, in micro-dollars ($0.50 is 500000).` });

export const SetPriceBody = z
  .strictObject({
    model: ModelSpec,
    inputMicrosPerMillion: PerMillion('input'),
    outputMicrosPerMillion: PerMillion('output'),
  })
  .openapi('SetPriceRequest');

export const OwnPrice = z
  .object({
    model: z.string().openapi({ example: 'openai-compatible:llama3.2:3b' }),
    inputMicrosPerMillion: z.number().int(),
    outputMicrosPerMillion: z.number().int(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('OwnPrice');

export const PriceList = z
  .object({
    items: z.array(OwnPrice).openapi({ description: "The user's own prices." }),
    unpriced: z
      .array(z.object({ model: z.string(), calls: z.number().int(), lastCalledAt: z.iso.datetime() }))
      .openapi({ description: 'Models the user called whose price is not known, the most used first.' }),
  })
  .openapi('PriceList');

export const PriceSet = z
  .object({
    price: OwnPrice,
    repricedCalls: z
      .number()
      .int()
      .openapi({ description: 'Calls of the model recorded earlier that now have this price.' }),
  })
  .openapi('PriceSet');

export const PriceModelQuery = z.strictObject({
  model: ModelSpec.openapi({ param: { name: 'model', in: 'query' } }),
});
