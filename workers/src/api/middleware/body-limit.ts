/**
 * The API's request-body limit, whether or not the body says its length: a declared length over the
 * limit is refused at once, and a chunked body is counted as it is read (and kept, up to the limit,
 * for the route to parse).
 *
 * Why an oversize body is read to its end before the 413: a server that answers and closes while the
 * client is still sending makes the client's TCP stack reset the connection, and the client often never
 * sees the answer. Reading (and dropping) the rest costs a little time; it is bounded in bytes and in
 * time, past which the connection is given up.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env.ts';
import { ApiError } from '../errors.ts';

/** The most of an oversize body read and dropped so that its sender can read the 413. */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
/** The longest a 413 waits for the rest of the body. */
const DRAIN_MAX_MS = 15_000;

/** Reads what is left of a body and drops it, within the bounds above; cancels the rest. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number): Promise<void> {
  const deadline = Date.now() + DRAIN_MAX_MS;
  let read = alreadyRead;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), DRAIN_MAX_MS)));
  try {
    while (read <= DRAIN_MAX_BYTES && Date.now() < deadline) {
      const next = await Promise.race([reader.read(), late]);
      if (next === 'late' || next.done) break;
      read += next.value.byteLength;
    }
  } catch {
    // The client went away: nobody is left to answer.
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
}

/** Refuses bodies larger than `maxBytes` with the 413 envelope. */
export function bodyLimit(maxBytes: number) {
  const tooLarge = () =>
    new ApiError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes.`);
  return createMiddleware<AppEnv>(async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.header('content-length');
    const chunked = c.req.header('transfer-encoding') !== undefined;
    if (declared !== undefined && !chunked) {
      // The runtime holds the body to its declared length: a length within the limit is the truth.
      if (Number(declared) <= maxBytes) return next();
      if (Number(declared) <= DRAIN_MAX_BYTES) await drain(body.getReader(), 0);
      else await body.cancel().catch(() => {});
      throw tooLarge();
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await drain(reader, size);
        throw tooLarge();
      }
      chunks.push(value);
    }
    const whole = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      whole.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(c.req.raw, { body: whole });
    return next();
  });
}
