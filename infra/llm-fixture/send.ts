/** Writes a provider reply to the wire: JSON, raw bodies (possibly cut), and SSE with gaps and cuts. */
import type { ServerResponse } from 'node:http';
import { sendJson } from './http.ts';
import type { ProviderReply } from './providers/types.ts';

function sleep(ms: number, res: ServerResponse): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!res.destroyed);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(!res.destroyed), ms);
    res.once('close', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/** Sends `reply`; resolves when it is written (or the client went away). */
export async function sendReply(res: ServerResponse, reply: ProviderReply): Promise<void> {
  if (!(await sleep(reply.delayMs ?? 0, res))) return;
  if (reply.kind === 'json') return sendJson(res, reply.status, reply.body, reply.headers);
  if (reply.kind === 'raw') {
    res.writeHead(reply.status, {
      'content-type': reply.contentType,
      'content-length': Buffer.byteLength(reply.body),
      ...reply.headers,
    });
    if (reply.cutAt === undefined) {
      res.end(reply.body);
      return;
    }
    res.write(reply.body.slice(0, reply.cutAt));
    // Let the partial body leave before the socket goes, so the client sees a cut, not a refusal.
    await sleep(20, res);
    res.destroy();
    return;
  }
  res.writeHead(reply.status, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...reply.headers,
  });
  res.flushHeaders();
  for (const [i, event] of reply.events.entries()) {
    if (reply.cutAfter !== undefined && i >= reply.cutAfter) {
      await sleep(20, res);
      res.destroy();
      return;
    }
    if (i > 0 && !(await sleep(reply.gapMs ?? 0, res))) return;
    res.write(`${event.event !== null ? `event: ${event.event}\n` : ''}data: ${event.data}\n\n`);
  }
  res.end();
}
