import { createRoute } from '@hono/zod-openapi';
import type { AuthedEnv, Bindings } from '../env.ts';
import { llmConfig } from '../llm/config.ts';
import { MODEL_AGENTS, chooseModel } from '../llm/models.ts';
import { getSettings, updateSettings, type Settings } from '../settings/store.ts';
import { pushOwnerFacts } from './project-access.ts';
import { requireUser } from './middleware/require-user.ts';
import { errors, json, jsonBody, newApi, signedIn } from './openapi.ts';
import { DEFAULT_BUDGET_MICROS } from './projects-schemas.ts';
import { SettingsBody, UpdateSettingsBody } from './settings-schemas.ts';

/** The model each agent gets when the user chose none: the platform's table, else the built-in one. */
export function defaultModels(env: Bindings): Record<string, string> {
  const platform = llmConfig(env).platformModels;
  return Object.fromEntries(
    MODEL_AGENTS.map((agent) => {
      const { provider, model } = chooseModel(agent, { platform });
      return [agent, `${provider}:${model}`];
    }),
  );
}

const view = (env: Bindings, settings: Settings) => ({
  ...settings,
  defaults: { models: defaultModels(env), budgetMicros: DEFAULT_BUDGET_MICROS },
});

const get = createRoute({
  method: 'get',
  path: '/',
  summary: "The user's settings: model per agent and new projects' budget",
  security: signedIn,
  middleware: requireUser,
  responses: { 200: json(SettingsBody, 'The settings'), ...errors(401, 429) },
});

const update = createRoute({
  method: 'patch',
  path: '/',
  summary: "Change the user's settings (what the body leaves out stays)",
  security: signedIn,
  middleware: requireUser,
  request: { body: jsonBody(UpdateSettingsBody) },
  responses: { 200: json(SettingsBody, 'The settings now'), ...errors(400, 401, 403, 413, 415, 422, 429) },
});

/** `/api/settings`. */
export const settings = newApi<AuthedEnv>()
  .openapi(get, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(view(c.env, await getSettings(await c.var.db(), c.var.user.id)), 200);
  })
  .openapi(update, async (c) => {
    const patch = c.req.valid('json');
    const db = await c.var.db();
    const saved = await updateSettings(db, c.var.user.id, patch);
    // Each project's models are layered over its owner's: their objects are told the new table.
    if (patch.models !== undefined) await pushOwnerFacts(c.env, db, c.var.user.id);
    return c.json(view(c.env, saved), 200);
  });
