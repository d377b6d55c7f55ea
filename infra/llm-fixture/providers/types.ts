import type { IncomingHttpHeaders } from 'node:http';
import type { FixtureProvider } from '../keys.ts';
import type { ScriptStore } from '../script.ts';

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

/** What a route may use besides the request: the authenticated key and the scripts. */
export interface RouteContext {
  key: string;
  script: ScriptStore;
}

interface ReplyBase {
  status: number;
  headers?: Record<string, string>;
  /** What answered, for the request log: `scripted`, `default`, `fault:rate_limit`... */
  note?: string;
  /** Milliseconds before the first byte. */
  delayMs?: number;
}

export interface JsonReply extends ReplyBase {
  kind: 'json';
  body: unknown;
}

/** One server-sent event (`event:` is left out when null, as OpenAI does). */
export interface SseEvent {
  event: string | null;
  data: string;
}

/** A `text/event-stream` reply; with `cutAfter`, the connection is destroyed after that many events. */
export interface SseReply extends ReplyBase {
  kind: 'sse';
  events: SseEvent[];
  /** Milliseconds between events. */
  gapMs?: number;
  cutAfter?: number;
}

/**
 * A body sent as is. With `cutAt`, the headers announce the whole body but only that many characters are
 * sent before the connection is destroyed (a response cut mid-way).
 */
export interface RawReply extends ReplyBase {
  kind: 'raw';
  contentType: string;
  body: string;
  cutAt?: number;
}

export type ProviderReply = JsonReply | SseReply | RawReply;

export interface ProviderRoute {
  method: 'GET' | 'POST';
  path: string;
  handle: (req: ProviderRequest, ctx: RouteContext) => ProviderReply;
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

/** Parses a JSON request body; null when it is not a JSON object. */
export function parseBody(req: ProviderRequest): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(req.body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The text of a message's content: a string, or the text parts of a content array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => {
      const p = part as { text?: unknown; content?: unknown };
      if (typeof p.text === 'string') return p.text;
      return typeof p.content === 'string' ? p.content : '';
    })
    .join('\n');
}
