import { createRoute } from '@hono/zod-openapi';
import { loadKeyRing } from '../crypto/key-ring.ts';
import type { AuthedEnv } from '../env.ts';
import { checkBaseUrl } from '../keys/base-url.ts';
import { isLocalEnvironment, providerBaseUrl } from '../keys/endpoints.ts';
import { probeKey, type ProbeResult } from '../keys/probe.ts';
import { MAX_KEYS_PER_USER, addKey, deleteKey, listKeys, openKey, recordTest } from '../keys/store.ts';
import { PROVIDER_LABELS } from '../llm/models.ts';
import { ApiError } from './errors.ts';
import { AddKeyBody, Key, KeyList, KeyTest } from './keys-schemas.ts';
import { limitByUser } from './middleware/rate-limit.ts';
import { requireUser } from './middleware/require-user.ts';
import { KeyIdParam, errors, json, jsonBody, newApi, signedIn, stack } from './openapi.ts';

const notFound = () => new ApiError(404, 'not_found', 'No such key.');

function describeProbe(probe: ProbeResult): string {
  switch (probe.result) {
    case 'ok':
      return probe.modelCount === 1
        ? 'The key works: the provider lists 1 model, offered in the model fields.'
        : `The key works: the provider lists ${probe.modelCount} models, offered in the model fields.`;
    case 'invalid_key':
      return `The provider rejected the key (HTTP ${probe.status}).`;
    case 'provider_error':
      return `The provider answered with an error (HTTP ${probe.status}). Try again later.`;
    case 'unreachable':
      return 'The provider could not be reached.';
  }
}

const list = createRoute({
  method: 'get',
  path: '/',
  summary: "The user's LLM keys (never the keys themselves)",
  security: signedIn,
  middleware: requireUser,
  responses: { 200: json(KeyList, 'Newest first'), ...errors(401, 429) },
});

const add = createRoute({
  method: 'post',
  path: '/',
  summary: 'Add an LLM key; it is encrypted at rest',
  security: signedIn,
  middleware: requireUser,
  request: { body: jsonBody(AddKeyBody) },
  responses: { 201: json(Key, 'Stored'), ...errors(400, 401, 403, 409, 413, 415, 422, 429) },
});

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  summary: 'Delete an LLM key',
  security: signedIn,
  middleware: requireUser,
  request: { params: KeyIdParam },
  responses: { 204: { description: 'Deleted' }, ...errors(401, 403, 404, 429) },
});

const test = createRoute({
  method: 'post',
  path: '/{id}/test',
  summary: "Test a key against its provider's models endpoint",
  security: signedIn,
  middleware: stack(requireUser, limitByUser('llm')),
  request: { params: KeyIdParam },
  responses: { 200: json(KeyTest, 'The outcome, working or not'), ...errors(401, 403, 404, 429) },
});

/** `/api/keys`: bring-your-own LLM keys. */
export const keys = newApi<AuthedEnv>()
  .openapi(list, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ items: await listKeys(await c.var.db(), c.var.user.id) }, 200);
  })
  .openapi(add, async (c) => {
    const body = c.req.valid('json');
    let baseUrl: string | null = null;
    if (body.provider === 'openai-compatible') {
      const check = checkBaseUrl(body.baseUrl, isLocalEnvironment(c.env.APP_ENV));
      if (!check.ok) {
        throw new ApiError(422, 'validation_failed', 'Some fields are not valid.', {
          fields: [{ path: 'baseUrl', message: check.message }],
        });
      }
      baseUrl = check.url;
    }
    const ring = await loadKeyRing(c.env.KEYS_MASTER_KEY);
    const stored = await addKey(await c.var.db(), ring, c.var.user.id, {
      provider: body.provider,
      label: body.label ?? PROVIDER_LABELS[body.provider],
      key: body.key,
      baseUrl,
    });
    if (!stored)
      throw new ApiError(
        409,
        'conflict',
        `You can keep at most ${MAX_KEYS_PER_USER} keys. Delete one first.`,
      );
    return c.json(stored, 201);
  })
  .openapi(remove, async (c) => {
    const deleted = await deleteKey(await c.var.db(), c.var.user.id, c.req.valid('param').id);
    if (!deleted) throw notFound();
    return c.body(null, 204);
  })
  .openapi(test, async (c) => {
    const { id } = c.req.valid('param');
    const db = await c.var.db();
    const opened = await openKey(db, await loadKeyRing(c.env.KEYS_MASTER_KEY), c.var.user.id, id);
    if (!opened) throw notFound();
    const probe = await probeKey({
      provider: opened.provider,
      apiKey: opened.apiKey,
      baseUrl: providerBaseUrl(c.env, opened.provider, opened.baseUrl),
    });
    const key = await recordTest(
      db,
      c.var.user.id,
      id,
      probe.result === 'ok' ? { ok: true, models: probe.models } : { ok: false },
    );
    if (!key) throw notFound();
    return c.json(
      {
        ok: probe.result === 'ok',
        result: probe.result,
        message: describeProbe(probe),
        ...(probe.result === 'ok' ? { modelCount: probe.modelCount } : {}),
        key,
      },
      200,
    );
  });
