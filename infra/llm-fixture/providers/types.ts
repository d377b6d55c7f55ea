import type { IncomingHttpHeaders } from 'node:http';
import type { FixtureProvider } from '../keys.ts';

/** A request as a provider module sees it: the path is relative to the provider's prefix. */
export interface ProviderRequest {
  provider: FixtureProvider;
  method: string;
  /** e.g. `/v1/models` (OpenAI, Anthropic) or `/openai/v1/models` (Groq). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * What a route answers. Only JSON for now; streaming (SSE) replies, scripted replies and injected
 * faults will be further members of this union.
 */
export interface JsonReply {
  kind: 'json';
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
export type ProviderReply = JsonReply;

export interface ProviderRoute {
  method: 'GET' | 'POST';
  path: string;
  handle: (req: ProviderRequest) => ProviderReply;
}

/** One provider's wire format: how it authenticates, its routes and its error shapes. */
export interface ProviderModule {
  /** Returns the presented key, or the provider's own rejection. */
  authenticate: (
    req: ProviderRequest,
    isValidKey: (key: string) => boolean,
  ) => { key: string } | ProviderReply;
  routes: ProviderRoute[];
  notFound: (req: ProviderRequest) => ProviderReply;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): JsonReply {
  return { kind: 'json', status, body, ...(headers ? { headers } : {}) };
}
