import { COMPATIBLE_MODELS, GROQ_MODELS, OPENAI_MODELS, type CatalogModel } from '../catalog.ts';
import { requestId } from '../http.ts';
import { chatCompletions } from './openai-chat.ts';
import { json, type ProviderModule, type ProviderReply, type ProviderRequest } from './types.ts';

/** How OpenAI shows a wrong key in its error message: a few characters each side, the rest hidden. */
function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 20))}${key.slice(-4)}`;
}

function bearer(req: ProviderRequest): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1]?.trim() || undefined;
}

const OPENAI_NO_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.";

/** OpenAI's error object: `{ error: { message, type, param, code } }`, with an `x-request-id` header. */
function openaiError(status: number, message: string, code: string | null): ProviderReply {
  return json(
    status,
    { error: { message, type: 'invalid_request_error', param: null, code } },
    { 'x-request-id': requestId('req_') },
  );
}

function modelList(models: CatalogModel[], extra: (m: CatalogModel) => Record<string, unknown>): unknown {
  return {
    object: 'list',
    data: models.map((m) => ({
      id: m.id,
      object: 'model',
      created: m.created,
      owned_by: m.ownedBy,
      ...extra(m),
    })),
  };
}

/** OpenAI (`/v1/...` under the fixture's `/openai`). */
export const openai: ProviderModule = {
  authenticate: (req, isValidKey) => {
    const key = bearer(req);
    if (!key) return openaiError(401, OPENAI_NO_KEY, null);
    if (!isValidKey(key)) {
      return openaiError(
        401,
        `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_api_key',
      );
    }
    return { key };
  },
  routes: [
    {
      method: 'GET',
      path: '/v1/models',
      handle: () =>
        json(
          200,
          modelList(OPENAI_MODELS, () => ({})),
        ),
    },
    { method: 'POST', path: '/v1/chat/completions', handle: chatCompletions('openai') },
  ],
  notFound: (req) => openaiError(404, `Invalid URL (${req.method} ${req.path})`, null),
};

/** An OpenAI-compatible server (Ollama, vLLM, LM Studio) started with an API key: OpenAI's shapes. */
export const compatible: ProviderModule = {
  authenticate: (req, isValidKey) => {
    const key = bearer(req);
    if (!key || !isValidKey(key)) return openaiError(401, 'Invalid API key', 'invalid_api_key');
    return { key };
  },
  routes: [
    {
      method: 'GET',
      path: '/v1/models',
      handle: () =>
        json(
          200,
          modelList(COMPATIBLE_MODELS, () => ({})),
        ),
    },
    { method: 'POST', path: '/v1/chat/completions', handle: chatCompletions('compatible') },
  ],
  notFound: (req) => openaiError(404, `Invalid URL (${req.method} ${req.path})`, null),
};

/** Groq's error object: OpenAI-like, without `param`. */
function groqError(status: number, message: string, code: string): ProviderReply {
  return json(
    status,
    { error: { message, type: 'invalid_request_error', code } },
    { 'x-request-id': requestId('req_') },
  );
}

/** Groq (`/openai/v1/...` under the fixture's `/groq`, as groq-sdk calls it). */
export const groq: ProviderModule = {
  authenticate: (req, isValidKey) => {
    const key = bearer(req);
    if (!key || !isValidKey(key)) return groqError(401, 'Invalid API Key', 'invalid_api_key');
    return { key };
  },
  routes: [
    {
      method: 'GET',
      path: '/openai/v1/models',
      handle: () =>
        json(
          200,
          modelList(GROQ_MODELS, (m) => ({
            active: true,
            context_window: m.contextWindow,
            public_apps: null,
            max_completion_tokens: m.contextWindow,
          })),
        ),
    },
    { method: 'POST', path: '/openai/v1/chat/completions', handle: chatCompletions('groq') },
  ],
  notFound: (req) =>
    groqError(
      404,
      `Unknown request URL: ${req.method} ${req.path}. Please check the URL for typos, or see the docs at https://console.groq.com/docs/`,
      'unknown_url',
    ),
};
