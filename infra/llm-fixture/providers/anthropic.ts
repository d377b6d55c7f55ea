import { ANTHROPIC_MODELS } from '../catalog.ts';
import { requestId } from '../http.ts';
import { anthropicError, messages } from './anthropic-messages.ts';
import { json, type ProviderModule, type ProviderReply, type ProviderRequest } from './types.ts';

function header(req: ProviderRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function listModels(req: ProviderRequest): ProviderReply {
  const limit = Math.min(Math.max(Number(req.query.get('limit') ?? 20) || 20, 1), 1000);
  const afterId = req.query.get('after_id');
  const start = afterId ? ANTHROPIC_MODELS.findIndex((m) => m.id === afterId) + 1 : 0;
  const page = ANTHROPIC_MODELS.slice(start, start + limit);
  return json(
    200,
    {
      data: page.map((m) => ({
        type: 'model',
        id: m.id,
        display_name: m.displayName,
        created_at: new Date(m.created * 1000).toISOString().replace('.000Z', 'Z'),
      })),
      has_more: start + limit < ANTHROPIC_MODELS.length,
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
    },
    { 'request-id': requestId('req_011') },
  );
}

/**
 * The API key as Anthropic accepts it: the `x-api-key` header, or `Authorization: Bearer` (what
 * @anthropic-ai/sdk 1.x sends).
 */
function presentedKey(req: ProviderRequest): string | undefined {
  const apiKey = header(req, 'x-api-key');
  if (apiKey) return apiKey;
  const match = /^Bearer\s+(.+)$/i.exec(header(req, 'authorization') ?? '');
  return match?.[1]?.trim() || undefined;
}

/** Anthropic (`/v1/...` under the fixture's `/anthropic`): an API key plus a required `anthropic-version`. */
export const anthropic: ProviderModule = {
  authenticate: (req, isValidKey) => {
    const key = presentedKey(req);
    if (!key) return anthropicError(401, 'authentication_error', 'x-api-key header is required');
    if (!isValidKey(key)) return anthropicError(401, 'authentication_error', 'invalid x-api-key');
    if (!header(req, 'anthropic-version')) {
      return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required');
    }
    return { key };
  },
  routes: [
    { method: 'GET', path: '/v1/models', handle: listModels },
    { method: 'POST', path: '/v1/messages', handle: messages },
  ],
  notFound: () => anthropicError(404, 'not_found_error', 'Not found'),
};
