import { createRoute, z } from '@hono/zod-openapi';
import type { AuthedEnv, Bindings } from '../env.ts';
import { listKeys } from '../keys/store.ts';
import {
  PROVIDER_ALIASES,
  PROVIDER_DEFAULTS,
  PROVIDER_IDS,
  PROVIDER_LABELS,
  readModelSpec,
  type ProviderId,
} from '../llm/models.ts';
import { PRICES, customPrice, knownPrice } from '../llm/pricing.ts';
import { listOwnPrices } from '../settings/prices.ts';
import { requireUser } from './middleware/require-user.ts';
import { errors, json, newApi, signedIn } from './openapi.ts';
import { defaultModels } from './settings.ts';

const ModelPrice = z
  .object({
    inputMicrosPerMillion: z.number().int(),
    outputMicrosPerMillion: z.number().int(),
    source: z.enum(['list', 'custom']),
  })
  .openapi('ModelPrice');

const ModelChoice = z
  .object({
    model: z.string().openapi({ description: '`provider:model`, canonical: what a model field stores.' }),
    provider: z.enum(PROVIDER_IDS),
    name: z.string(),
    /** Why it is offered: the platform's defaults, and/or what a saved key's provider listed. */
    sources: z.array(z.enum(['default', 'key'])),
    keys: z.array(z.string()).openapi({ description: 'Labels of the keys whose provider lists it.' }),
    price: ModelPrice.nullable().openapi({ description: 'Null when the price is not known.' }),
  })
  .openapi('ModelChoice');

const PriceRule = z
  .object({
    provider: z.enum(PROVIDER_IDS),
    name: z.string(),
    inputMicrosPerMillion: z.number().int(),
    outputMicrosPerMillion: z.number().int(),
    source: z.enum(['list', 'custom']),
  })
  .openapi('PriceRule', {
    description:
      'A list price applies to the model `name` and its variants `name-…` (the longest name wins); a price of your own (custom) to its model only, and only where no list price applies.',
  });

const ModelChoices = z
  .object({
    providers: z.array(
      z.object({ id: z.enum(PROVIDER_IDS), label: z.string(), aliases: z.array(z.string()) }),
    ),
    items: z.array(ModelChoice),
    prices: z.array(PriceRule).openapi({
      description: 'What prices any model, offered or typed: the list prices and your own.',
    }),
  })
  .openapi('ModelChoices');

type Choice = z.infer<typeof ModelChoice>;

const choices = createRoute({
  method: 'get',
  path: '/',
  summary: "The models to choose from: the platform's defaults and what each saved key's provider lists",
  security: signedIn,
  middleware: requireUser,
  responses: { 200: json(ModelChoices, 'Models, defaults first'), ...errors(401, 429) },
});

/** The platform's models: its choice per agent, then each provider's strong and small model. */
function platformModels(env: Bindings): string[] {
  const perProvider = PROVIDER_IDS.flatMap((p) => [
    `${p}:${PROVIDER_DEFAULTS[p].strong}`,
    `${p}:${PROVIDER_DEFAULTS[p].small}`,
  ]);
  return [...Object.values(defaultModels(env)), ...perProvider];
}

const micros = (dollarsPerMillion: number) => Math.round(dollarsPerMillion * 1_000_000);

/** `/api/models`: what the model fields offer, each with its price (or none known). */
export const modelChoices = newApi<AuthedEnv>().openapi(choices, async (c) => {
  const db = await c.var.db();
  const [keys, own] = await Promise.all([listKeys(db, c.var.user.id), listOwnPrices(db, c.var.user.id)]);
  const ownBySpec = new Map(own.map((p) => [p.model, p]));
  const byModel = new Map<string, Choice>();
  const offer = (provider: ProviderId, name: string, source: 'default' | 'key', keyLabel?: string) => {
    const model = `${provider}:${name}`;
    let choice = byModel.get(model);
    if (!choice) {
      const mine = ownBySpec.get(model);
      const known = knownPrice(provider, name, mine ? customPrice(mine) : null);
      const price = known
        ? {
            inputMicrosPerMillion: micros(known.price.input),
            outputMicrosPerMillion: micros(known.price.output),
            source: known.pricedBy,
          }
        : null;
      choice = { model, provider, name, sources: [], keys: [], price };
      byModel.set(model, choice);
    }
    if (!choice.sources.includes(source)) choice.sources.push(source);
    if (keyLabel && !choice.keys.includes(keyLabel)) choice.keys.push(keyLabel);
  };
  for (const spec of platformModels(c.env)) {
    const parsed = readModelSpec(spec);
    if (parsed) offer(parsed.provider, parsed.model, 'default');
  }
  // A key whose last test failed may not work: its list is not offered.
  for (const key of keys) {
    if (key.lastTestOk === false) continue;
    for (const name of key.models) offer(key.provider, name, 'key', key.label);
  }
  const providers = PROVIDER_IDS.map((id) => ({
    id,
    label: PROVIDER_LABELS[id],
    aliases: Object.keys(PROVIDER_ALIASES).filter((a) => PROVIDER_ALIASES[a] === id),
  }));
  const prices = [
    ...PROVIDER_IDS.flatMap((provider) =>
      Object.entries(PRICES[provider]).map(([name, price]) => ({
        provider,
        name,
        inputMicrosPerMillion: micros(price.input),
        outputMicrosPerMillion: micros(price.output),
        source: 'list' as const,
      })),
    ),
    ...own.flatMap((price) => {
      const spec = readModelSpec(price.model);
      return spec
        ? [
            {
              provider: spec.provider,
              name: spec.model,
              inputMicrosPerMillion: price.inputMicrosPerMillion,
              outputMicrosPerMillion: price.outputMicrosPerMillion,
              source: 'custom' as const,
            },
          ]
        : [];
    }),
  ];
  c.header('Cache-Control', 'no-store');
  return c.json({ providers, items: [...byModel.values()], prices }, 200);
});
