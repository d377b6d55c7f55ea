import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from './http.ts';
import { FIXTURE_PROVIDERS, isValidFixtureKey, type FixtureProvider } from './keys.ts';
import { anthropic } from './providers/anthropic.ts';
import { compatible, groq, openai } from './providers/openai.ts';
import type { ProviderModule, ProviderReply, ProviderRequest } from './providers/types.ts';
import { ANY_KEY, ScriptStore, scriptProblem, type ScriptedReply } from './script.ts';
import { sendReply } from './send.ts';

export type { Fault, ScriptedReply, ScriptedToolCall, ScriptedUsage } from './script.ts';

const PROVIDERS: Record<FixtureProvider, ProviderModule> = { openai, anthropic, groq, compatible };

/** One request the fixture received, kept so tests can check what the SDKs really sent. */
export interface RecordedRequest {
  provider: FixtureProvider;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The credential presented (fixture keys are fake), or null when none was sent. */
  key: string | null;
  status: number;
  /** What answered: `scripted`, `default`, `fault:<kind>`, or nothing for routes without a script. */
  note?: string;
  at: string;
  /** Whether the whole reply was sent: false when the client went away first; null while it is sent. */
  answered: boolean | null;
}

export interface LlmFixtureOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  host?: string;
  /** Which keys are accepted; defaults to the provider prefixes of keys.ts. */
  isValidKey?: (provider: FixtureProvider, key: string) => boolean;
}

export interface LlmFixture {
  /**
   * The fixture's root. Each provider lives under its own prefix, so a client's base URL is
   * `${url}/openai/v1` (openai SDK), `${url}/anthropic` (@anthropic-ai/sdk), `${url}/groq` (groq-sdk) or
   * `${url}/compatible/v1` (any OpenAI-compatible client).
   */
  url: string;
  /** Every request received, oldest first (also served at `GET /__fixture/requests`). */
  requests: RecordedRequest[];
  /** The scripted replies, per key (also `POST /__fixture/script`). */
  script: ScriptStore;
  /** Appends replies to the script of `key` (`*`: any key without a script of its own). */
  add: (key: string, replies: ScriptedReply[]) => void;
  /** The requests that presented `key`. */
  requestsOf: (key: string) => RecordedRequest[];
  close: () => Promise<void>;
}

/** Keeps the log bounded when a long dev session runs against the fixture. */
const MAX_RECORDED = 5000;

function presentedKey(headers: IncomingHttpHeaders): string | null {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) return apiKey;
  const auth = headers.authorization;
  const match = typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return match?.[1]?.trim() ?? null;
}

function dispatch(
  module: ProviderModule,
  req: ProviderRequest,
  isValidKey: (key: string) => boolean,
  script: ScriptStore,
): ProviderReply {
  const auth = module.authenticate(req, isValidKey);
  if ('kind' in auth) return auth;
  const route = module.routes.find((r) => r.method === req.method && r.path === req.path);
  return route ? route.handle(req, { key: auth.key, script }) : module.notFound(req);
}

/** The control API under `/__fixture/`: the request log and the scripts. */
async function control(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requests: RecordedRequest[],
  script: ScriptStore,
): Promise<void> {
  const method = req.method ?? 'GET';
  const key = url.searchParams.get('key');
  if (url.pathname === '/__fixture/requests') {
    if (method === 'DELETE') requests.length = 0;
    return sendJson(res, 200, { requests: key === null ? requests : requests.filter((r) => r.key === key) });
  }
  if (url.pathname === '/__fixture/script') {
    if (method === 'GET') return sendJson(res, 200, { pending: script.pending() });
    if (method === 'DELETE') {
      script.clear(key ?? undefined);
      return sendJson(res, 200, { pending: script.pending() });
    }
    if (method === 'POST') {
      let body: { key?: unknown; replies?: unknown };
      try {
        body = JSON.parse(await readBody(req)) as typeof body;
      } catch {
        return sendJson(res, 400, { error: 'the body must be JSON: { key?, replies: [...] }' });
      }
      const problem = scriptProblem(body.replies);
      if (problem) return sendJson(res, 400, { error: problem });
      script.add(typeof body.key === 'string' ? body.key : ANY_KEY, body.replies as ScriptedReply[]);
      return sendJson(res, 200, { pending: script.pending() });
    }
  }
  return sendJson(res, 404, { error: `no fixture control at ${method} ${url.pathname}` });
}

/**
 * Starts a local server that speaks the LLM providers' real wire formats (OpenAI chat completions,
 * Anthropic messages, Groq and OpenAI-compatible servers, each with its models list, streaming, auth and
 * error shapes), so the official SDKs can be exercised without the internet. It answers from a script
 * of replies per API key (or a schema-valid default), injects faults on demand, and records what it was
 * sent.
 */
export async function startLlmFixture(options: LlmFixtureOptions): Promise<LlmFixture> {
  const host = options.host ?? '127.0.0.1';
  const isValidKey = options.isValidKey ?? isValidFixtureKey;
  const requests: RecordedRequest[] = [];
  const script = new ScriptStore();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/__fixture/')) return control(req, res, url, requests, script);
    const [, prefix = '', ...rest] = url.pathname.split('/');
    const provider = FIXTURE_PROVIDERS.find((p) => p === prefix);
    if (!provider) {
      return sendJson(res, 404, {
        error: `unknown provider prefix /${prefix}; use one of ${FIXTURE_PROVIDERS.join(', ')}`,
      });
    }
    const body = await readBody(req);
    const providerRequest: ProviderRequest = {
      provider,
      method,
      path: `/${rest.join('/')}`,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    const reply = dispatch(PROVIDERS[provider], providerRequest, (key) => isValidKey(provider, key), script);
    const recorded: RecordedRequest = {
      provider,
      method,
      path: providerRequest.path,
      headers: req.headers,
      body,
      key: presentedKey(req.headers),
      status: reply.status,
      ...(reply.note ? { note: reply.note } : {}),
      at: new Date().toISOString(),
      answered: null,
    };
    requests.push(recorded);
    if (requests.length > MAX_RECORDED) requests.splice(0, requests.length - MAX_RECORDED);
    await sendReply(res, reply);
    recorded.answered = res.writableFinished;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { error: err instanceof Error ? err.message : 'fixture error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    requests,
    script,
    add: (key, replies) => script.add(key, replies),
    requestsOf: (key) => requests.filter((r) => r.key === key),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
