/**
 * `POST /v1/messages` as Anthropic speaks it: text and `tool_use` content blocks with usage (including
 * cache reads); SSE streaming with its named events (`message_start`, `content_block_delta`...); and the
 * faults of a script in Anthropic's error envelope.
 */
import { requestId } from '../http.ts';
import { schemaInstance } from '../schema-instance.ts';
import { chunkText, estimateTokens, type ScriptedReply } from '../script.ts';
import {
  contentText,
  json,
  parseBody,
  type ProviderReply,
  type ProviderRequest,
  type RouteContext,
  type SseEvent,
} from './types.ts';

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

/** Anthropic's error object: `{ type: 'error', error: { type, message }, request_id }`, id also as a header. */
export function anthropicError(status: number, type: string, message: string): ProviderReply {
  const id = requestId('req_011');
  return json(status, { type: 'error', error: { type, message }, request_id: id }, { 'request-id': id });
}

interface Tool {
  name?: string;
  input_schema?: unknown;
}

function forcedTool(body: Record<string, unknown>): Tool | null {
  const tools = Array.isArray(body.tools) ? (body.tools as Tool[]) : [];
  const choice = body.tool_choice as { type?: string; name?: string } | undefined;
  if (choice?.type === 'tool') return tools.find((t) => t.name === choice.name) ?? null;
  if (choice?.type === 'any') return tools[0] ?? null;
  return null;
}

function blocks(reply: ScriptedReply | null, body: Record<string, unknown>, prompt: string): Block[] {
  const forced = forcedTool(body);
  const toolUse = (name: string, input: unknown): Block => ({
    type: 'tool_use',
    id: `toolu_${requestId('01')}`,
    name,
    input,
  });
  if (reply?.toolCalls) return reply.toolCalls.map((t) => toolUse(t.name, t.arguments));
  if (forced?.name && reply?.fault?.kind === 'invalid_json')
    return [{ type: 'text', text: '{"unfinished": tru' }];
  if (forced?.name && reply?.json !== undefined) return [toolUse(forced.name, reply.json)];
  if (forced?.name && !reply) return [toolUse(forced.name, schemaInstance(forced.input_schema))];
  if (reply?.fault?.kind === 'invalid_json') return [{ type: 'text', text: '{"unfinished": tru' }];
  if (reply?.json !== undefined) return [{ type: 'text', text: JSON.stringify(reply.json) }];
  return [{ type: 'text', text: reply?.text ?? `Fixture reply to: ${prompt.slice(-200)}` }];
}

function fault(reply: ScriptedReply): ProviderReply | null {
  const f = reply.fault;
  if (f?.kind === 'rate_limit') {
    const r = anthropicError(
      429,
      'rate_limit_error',
      'This request would exceed the rate limit for your organization of 5 requests per minute.',
    );
    const headers: Record<string, string> = { ...r.headers, 'retry-after': String(f.retryAfter ?? 1) };
    if (f.retryAfterMs !== undefined) headers['retry-after-ms'] = String(f.retryAfterMs);
    return { ...r, headers, note: 'fault:rate_limit' };
  }
  if (f?.kind === 'server_error') {
    const status = f.status ?? 500;
    const r =
      status === 529
        ? anthropicError(529, 'overloaded_error', 'Overloaded')
        : anthropicError(status, 'api_error', 'Internal server error');
    return { ...r, note: 'fault:server_error' };
  }
  if (f?.kind === 'malformed')
    return {
      kind: 'raw',
      status: 200,
      contentType: 'application/json',
      body: '{"id": "msg_',
      note: 'fault:malformed',
    };
  return null;
}

function streamEvents(
  message: Record<string, unknown>,
  content: Block[],
  reply: ScriptedReply | null,
): SseEvent[] {
  const ev = (event: string, data: Record<string, unknown>): SseEvent => ({
    event,
    data: JSON.stringify({ type: event, ...data }),
  });
  const usage = message.usage as { input_tokens: number; output_tokens: number };
  const events: SseEvent[] = [
    ev('message_start', {
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
    ev('ping', {}),
  ];
  content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (const text of chunkText(block.text, reply?.chunks)) {
        events.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text } }));
      }
    } else {
      events.push(
        ev('content_block_start', {
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        }),
      );
      for (const partial_json of chunkText(JSON.stringify(block.input), reply?.chunks)) {
        events.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }));
      }
    }
    events.push(ev('content_block_stop', { index }));
  });
  events.push(
    ev('message_delta', {
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }),
  );
  events.push(ev('message_stop', {}));
  return events;
}

/** The messages route. */
export function messages(req: ProviderRequest, ctx: RouteContext): ProviderReply {
  const body = parseBody(req);
  if (!body) return anthropicError(400, 'invalid_request_error', 'Invalid JSON body');
  const model = body.model;
  if (typeof model !== 'string' || model === '')
    return anthropicError(400, 'invalid_request_error', 'model: Field required');
  if (typeof body.max_tokens !== 'number')
    return anthropicError(400, 'invalid_request_error', 'max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return anthropicError(400, 'invalid_request_error', 'messages: at least one message is required');
  const system = contentText(body.system);
  const prompt = [system, ...(body.messages as { content?: unknown }[]).map((m) => contentText(m.content))]
    .filter(Boolean)
    .join('\n');
  const reply = ctx.script.take(ctx.key, { model, text: prompt });
  const delayMs = reply?.delayMs ?? 0;
  const faulted = reply ? fault(reply) : null;
  if (faulted) return { ...faulted, delayMs };
  const content = blocks(reply, body, prompt);
  const outText = content.map((b) => (b.type === 'text' ? b.text : JSON.stringify(b.input))).join('');
  const cached = reply?.usage?.cached ?? 0;
  const message = {
    id: `msg_${requestId('01')}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason:
      reply?.finishReason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: {
      // Scripts give the whole prompt's tokens; Anthropic counts cache reads apart from `input_tokens`.
      input_tokens: Math.max(0, (reply?.usage?.input ?? estimateTokens(prompt)) - cached),
      output_tokens: reply?.usage?.output ?? estimateTokens(outText),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: cached,
    },
  };
  const note = reply ? (reply.fault ? `fault:${reply.fault.kind}` : 'scripted') : 'default';
  const headers = { 'request-id': requestId('req_011') };
  const cut = reply?.fault?.kind === 'stream_cut' ? reply.fault : null;
  if (body.stream === true) {
    const events = streamEvents(message, content, reply);
    return {
      kind: 'sse',
      status: 200,
      headers,
      events,
      gapMs: delayMs,
      delayMs,
      note,
      ...(cut ? { cutAfter: cut.afterChunks ?? Math.max(1, Math.floor(events.length / 2)) } : {}),
    };
  }
  const full = JSON.stringify(message);
  return {
    kind: 'raw',
    status: 200,
    contentType: 'application/json',
    body: full,
    headers,
    delayMs,
    note,
    ...(cut ? { cutAt: full.length >> 1 } : {}),
  };
}
