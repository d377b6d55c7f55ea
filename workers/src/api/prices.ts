import { createRoute } from '@hono/zod-openapi';
import { projectStub } from '../project-object/stub.ts';
import type { AuthedEnv, Bindings } from '../env.ts';
import { parseProjectId } from '../ids.ts';
import { parseModelSpec, type ModelSpec } from '../llm/models.ts';
import { listPrice, type OwnPrice } from '../llm/pricing.ts';
import { describeError, log } from '../platform/logger.ts';
import {
  deleteOwnPrice,
  listOwnPrices,
  setOwnPrice,
  unpricedModels,
  type Repricing,
} from '../settings/prices.ts';
import { ApiError } from './errors.ts';
import { requireUser } from './middleware/require-user.ts';
import { errors, json, jsonBody, newApi, signedIn } from './openapi.ts';
import { PriceList, PriceModelQuery, PriceSet, SetPriceBody } from './prices-schemas.ts';

const list = createRoute({
  method: 'get',
  path: '/',
  summary: "The user's own model prices, and the models called without a known price",
  security: signedIn,
  middleware: requireUser,
  responses: { 200: json(PriceList, 'The prices'), ...errors(401, 429) },
});

const put = createRoute({
  method: 'put',
  path: '/',
  summary: 'Set your price for a model without a list price; its earlier calls take it too',
  security: signedIn,
  middleware: requireUser,
  request: { body: jsonBody(SetPriceBody) },
  responses: { 200: json(PriceSet, 'Set'), ...errors(400, 401, 403, 413, 415, 422, 429) },
});

const remove = createRoute({
  method: 'delete',
  path: '/',
  summary: 'Remove your price for a model: its calls priced with it are of unknown cost again',
  security: signedIn,
  middleware: requireUser,
  request: { query: PriceModelQuery },
  responses: { 204: { description: 'Removed' }, ...errors(401, 403, 404, 422, 429) },
});

/**
 * Each project that recorded calls of the model prices them again (its totals, the live meter, the
 * project row). The ledger is already right; a project object that cannot be reached now keeps its
 * old totals until the next price change, which is logged.
 */
async function repriceProjects(
  env: Bindings,
  model: ModelSpec,
  price: OwnPrice | null,
  repricing: Repricing,
): Promise<void> {
  const outcomes = await Promise.allSettled(
    repricing.projectIds.flatMap((raw) => {
      const id = parseProjectId(raw);
      return id ? [projectStub(env, id).reprice(model.provider, model.model, price)] : [];
    }),
  );
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') {
      log.warn('project not repriced', { model: model.model, ...describeError(outcome.reason) });
    }
  }
}

/** `/api/settings/prices`: a person's own prices for models the platform's price table lacks. */
export const prices = newApi<AuthedEnv>()
  .openapi(list, async (c) => {
    const db = await c.var.db();
    const [items, unpriced] = await Promise.all([
      listOwnPrices(db, c.var.user.id),
      unpricedModels(db, c.var.user.id),
    ]);
    c.header('Cache-Control', 'no-store');
    return c.json({ items, unpriced }, 200);
  })
  .openapi(put, async (c) => {
    const body = c.req.valid('json');
    const model = parseModelSpec(body.model);
    const listed = listPrice(model.provider, model.model);
    if (listed) {
      throw new ApiError(422, 'validation_failed', 'Some fields are not valid.', {
        fields: [
          {
            path: 'model',
            message: `${body.model} has a list price ($${listed.input} in, $${listed.output} out per million tokens); your own prices are for models without one.`,
          },
        ],
      });
    }
    const price = {
      inputMicrosPerMillion: body.inputMicrosPerMillion,
      outputMicrosPerMillion: body.outputMicrosPerMillion,
    };
    const { view, repricing } = await setOwnPrice(await c.var.db(), c.var.user.id, model, price);
    await repriceProjects(c.env, model, price, repricing);
    return c.json({ price: view, repricedCalls: repricing.calls }, 200);
  })
  .openapi(remove, async (c) => {
    const model = parseModelSpec(c.req.valid('query').model);
    const repricing = await deleteOwnPrice(await c.var.db(), c.var.user.id, model);
    if (!repricing) throw new ApiError(404, 'not_found', 'You have no price for this model.');
    await repriceProjects(c.env, model, null, repricing);
    return c.body(null, 204);
  });
