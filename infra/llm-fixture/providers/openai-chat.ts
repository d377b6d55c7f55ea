/**
 * `POST /v1/chat/completions` as OpenAI, Groq and OpenAI-compatible servers speak it: text, JSON-schema
 * and tool-call replies, with usage; SSE streaming (`data: {chunk}` ... `data: [DONE]`); and the faults
 * of a script (429 with retry-after, 5xx, a stream cut mid-way, a malformed body, invalid JSON content).
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

export type ChatFlavour = 'openai' | 'groq' | 'compatible';

interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

interface Planned {
  text: string | null;
  toolCalls: ToolCall[];
  finish: string;
  usage: { input: number; output: number; cached: number };
  note: string;
}

/** The error envelope of the flavour (Groq leaves out `param`). */
function chatError(flavour: ChatFlavour, status: number, message: string, type: string, code: string | null) {
  const error = flavour === 'groq' ? { message, type, code } : { message, type, param: null, code };
  return json(status, { error }, { 'x-request-id': requestId('req_') });
}

function forcedTool(body: Record<string, unknown>): string | null {
  const choice = body.tool_choice as { type?: string; function?: { name?: string } } | string | undefined;
  const tools = Array.isArray(body.tools) ? (body.tools as { function?: { name?: string } }[]) : [];
  if (typeof choice === 'object' && choice?.function?.name) return choice.function.name;
  if (choice === 'required') return tools[0]?.function?.name ?? null;
  return null;
}

function toolSchema(body: Record<string, unknown>, name: string): unknown {
  const tools = Array.isArray(body.tools)
    ? (body.tools as { function?: { name?: string; parameters?: unknown } }[])
    : [];
  return tools.find((t) => t.function?.name === name)?.function?.parameters ?? {};
}

function defaultText(body: Record<string, unknown>, prompt: string): string {
  const format = body.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (format?.type === 'json_schema') return JSON.stringify(schemaInstance(format.json_schema?.schema));
  if (format?.type === 'json_object') return '{}';
  return `Fixture reply to: ${prompt.slice(-200)}`;
}

function plan(reply: ScriptedReply | null, body: Record<string, unknown>, prompt: string): Planned {
  const forced = forcedTool(body);
  let text: string | null = null;
  let toolCalls: ToolCall[] = [];
  const call = (name: string, args: unknown): ToolCall => ({
    id: `call_${requestId('')}`,
    name,
    arguments: JSON.stringify(args),
  });
  if (reply?.toolCalls) toolCalls = reply.toolCalls.map((t) => call(t.name, t.arguments));
  else if (forced && reply?.json !== undefined) toolCalls = [call(forced, reply.json)];
  else if (forced && !reply) toolCalls = [call(forced, schemaInstance(toolSchema(body, forced)))];
  else if (reply?.fault?.kind === 'invalid_json') text = '{"unfinished": tru';
  else if (reply?.json !== undefined) text = JSON.stringify(reply.json);
  else text = reply?.text ?? defaultText(body, prompt);
  const out = (text ?? '') + toolCalls.map((t) => t.name + t.arguments).join('');
  return {
    text: toolCalls.length > 0 ? null : text,
    toolCalls,
    finish: reply?.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    usage: {
      input: reply?.usage?.input ?? estimateTokens(prompt),
      output: reply?.usage?.output ?? estimateTokens(out),
      cached: reply?.usage?.cached ?? 0,
    },
    note: reply ? (reply.fault ? `fault:${reply.fault.kind}` : 'scripted') : 'default',
  };
}

function usageBody(p: Planned) {
  return {
    prompt_tokens: p.usage.input,
    completion_tokens: p.usage.output,
    total_tokens: p.usage.input + p.usage.output,
    prompt_tokens_details: { cached_tokens: p.usage.cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  };
}

function completion(flavour: ChatFlavour, id: string, model: string, p: Planned) {
  const message: Record<string, unknown> = { role: 'assistant', content: p.text };
  if (flavour === 'openai') message.refusal = null;
  if (p.toolCalls.length > 0) {
    message.tool_calls = p.toolCalls.map((t) => ({
      id: t.id,
      type: 'function',
      function: { name: t.name, arguments: t.arguments },
    }));
  }
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: p.finish }],
    usage: usageBody(p),
    system_fingerprint: 'fp_fixture',
    ...(flavour === 'groq' ? { x_groq: { id: requestId('req_') } } : {}),
  };
}

function streamEvents(
  flavour: ChatFlavour,
  id: string,
  model: string,
  p: Planned,
  reply: ScriptedReply | null,
  includeUsage: boolean,
): SseEvent[] {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (
    delta: Record<string, unknown>,
    finish: string | null,
    extra: Record<string, unknown> = {},
  ) => ({
    event: null,
    data: JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_fixture',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...extra,
    }),
  });
  const events: SseEvent[] = [chunk({ role: 'assistant', content: p.text === null ? null : '' }, null)];
  for (const piece of chunkText(p.text ?? '', reply?.chunks)) events.push(chunk({ content: piece }, null));
  p.toolCalls.forEach((t, index) => {
    events.push(
      chunk(
        { tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }] },
        null,
      ),
    );
    for (const piece of chunkText(t.arguments, reply?.chunks)) {
      events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
    }
  });
  // Groq reports usage in `x_groq` of the final chunk; OpenAI in an extra chunk when asked for it.
  events.push(
    chunk({}, p.finish, flavour === 'groq' ? { x_groq: { id: requestId('req_'), usage: usageBody(p) } } : {}),
  );
  if (includeUsage && flavour !== 'groq') {
    events.push({
      event: null,
      data: JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: 'fp_fixture',
        choices: [],
        usage: usageBody(p),
      }),
    });
  }
  events.push({ event: null, data: '[DONE]' });
  return events;
}

function fault(flavour: ChatFlavour, reply: ScriptedReply, model: string): ProviderReply | null {
  const f = reply.fault;
  if (f?.kind === 'rate_limit') {
    const headers: Record<string, string> = { 'x-request-id': requestId('req_') };
    headers['retry-after'] = String(f.retryAfter ?? 1);
    if (f.retryAfterMs !== undefined) headers['retry-after-ms'] = String(f.retryAfterMs);
    const message = `Rate limit reached for ${model} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${f.retryAfter ?? 1}s.`;
    return {
      ...chatError(flavour, 429, message, 'requests', 'rate_limit_exceeded'),
      headers,
      note: 'fault:rate_limit',
    };
  }
  if (f?.kind === 'server_error') {
    const status = f.status ?? 500;
    return {
      ...chatError(
        flavour,
        status,
        'The server had an error while processing your request. Sorry about that!',
        'server_error',
        null,
      ),
      note: 'fault:server_error',
    };
  }
  if (f?.kind === 'json_validate_failed') {
    const error = {
      message:
        "Failed to generate JSON. Please adjust your prompt. See 'failed_generation' for more details.",
      type: 'invalid_request_error',
      code: 'json_validate_failed',
      failed_generation: reply.text ?? '{"unfinished": tru',
    };
    return {
      ...json(400, { error }, { 'x-request-id': requestId('req_') }),
      note: 'fault:json_validate_failed',
    };
  }
  if (f?.kind === 'malformed') {
    return {
      kind: 'raw',
      status: 200,
      contentType: 'application/json',
      body: '{"id": "chatcmpl-',
      note: 'fault:malformed',
    };
  }
  return null;
}

/** The chat-completions route of one flavour. */
export function chatCompletions(flavour: ChatFlavour) {
  return (req: ProviderRequest, ctx: RouteContext): ProviderReply => {
    const body = parseBody(req);
    if (!body)
      return chatError(
        flavour,
        400,
        'We could not parse the JSON body of your request.',
        'invalid_request_error',
        null,
      );
    const model = body.model;
    if (typeof model !== 'string' || model === '')
      return chatError(flavour, 400, 'you must provide a model parameter', 'invalid_request_error', null);
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      return chatError(
        flavour,
        400,
        "'messages' must contain at least one message",
        'invalid_request_error',
        null,
      );
    const prompt = (body.messages as { content?: unknown }[]).map((m) => contentText(m.content)).join('\n');
    const reply = ctx.script.take(ctx.key, { model, text: prompt });
    const delayMs = reply?.delayMs ?? 0;
    const faulted = reply ? fault(flavour, reply, model) : null;
    if (faulted) return { ...faulted, delayMs };
    const p = plan(reply, body, prompt);
    const id = `chatcmpl-${requestId('')}`;
    const headers = { 'x-request-id': requestId('req_') };
    const cut = reply?.fault?.kind === 'stream_cut' ? reply.fault : null;
    if (body.stream === true) {
      const includeUsage =
        (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      const events = streamEvents(flavour, id, model, p, reply, includeUsage);
      return {
        kind: 'sse',
        status: 200,
        headers,
        events,
        gapMs: delayMs,
        delayMs,
        note: p.note,
        ...(cut ? { cutAfter: cut.afterChunks ?? Math.max(1, Math.floor(events.length / 2)) } : {}),
      };
    }
    const full = JSON.stringify(completion(flavour, id, model, p));
    if (cut) {
      return {
        kind: 'raw',
        status: 200,
        contentType: 'application/json',
        body: full,
        cutAt: full.length >> 1,
        delayMs,
        note: p.note,
      };
    }
    return {
      kind: 'raw',
      status: 200,
      contentType: 'application/json',
      body: full,
      headers,
      delayMs,
      note: p.note,
    };
  };
}
