/**
 * A minimal RESP2 codec: encodes commands and parses replies from a byte stream.
 *
 * Simple strings and bulk strings stay distinguishable (`string` vs `Buffer`) because Upstash's base64
 * encoding treats the status reply "OK" specially, and bulk strings may hold bytes that are not UTF-8.
 */

/** A Redis error reply (`-ERR ...`). Not an `Error`: it is data, possibly nested inside an array. */
export class RespError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** A parsed RESP2 reply: simple string, bulk string, integer, nil, array or error. */
export type RespValue = string | Buffer | number | null | RespError | RespValue[];

/** One command argument as sent on the wire. */
export type RespArg = string | Buffer;

const CRLF = Buffer.from('\r\n');

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly RespArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

/** Thrown when the stream cannot be RESP: the connection must be dropped, it is out of sync. */
export class RespProtocolError extends Error {
  override name = 'RespProtocolError';
}

/** An array whose elements are still arriving. */
type Frame = { items: RespValue[]; remaining: number };

/**
 * Incremental parser: feed it chunks, it calls `onReply` once per complete top-level reply, in order.
 *
 * Why the state is explicit (a stack of half-built arrays, bytes dropped once consumed): a large reply
 * (HGETALL, LRANGE, KEYS) arrives in many chunks, and re-parsing it from its start on every chunk would be
 * quadratic. Chunks are only joined when the buffered bytes can complete the next element.
 */
export class RespParser {
  private chunks: Buffer[] = [];
  private length = 0;
  private need = 0;
  private readonly stack: Frame[] = [];
  private readonly onReply: (value: RespValue) => void;

  constructor(onReply: (value: RespValue) => void) {
    this.onReply = onReply;
  }

  feed(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length < this.need) return;
    const buf = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.length);
    let offset = 0;
    this.need = 0;
    while (offset < buf.length) {
      const lineEnd = buf.indexOf(CRLF, offset + 1);
      if (lineEnd === -1) {
        this.need = buf.length - offset + 1;
        break;
      }
      const type = buf[offset];
      const line = buf.toString('utf8', offset + 1, lineEnd);
      const next = lineEnd + 2;
      if (type === 0x24 /* $ */) {
        const size = parseInteger(line);
        if (size >= 0 && buf.length < next + size + 2) {
          this.need = next + size + 2 - offset;
          break;
        }
        offset = size < 0 ? next : next + size + 2;
        this.complete(size < 0 ? null : Buffer.from(buf.subarray(next, next + size)));
      } else if (type === 0x2a /* * */) {
        const count = parseInteger(line);
        offset = next;
        if (count > 0) this.stack.push({ items: [], remaining: count });
        else this.complete(count < 0 ? null : []);
      } else {
        offset = next;
        this.complete(simpleValue(type, line));
      }
    }
    const rest = offset >= buf.length ? undefined : buf.subarray(offset);
    this.chunks = rest ? [rest] : [];
    this.length = rest?.length ?? 0;
  }

  /** Hands a finished element to its enclosing array, or to `onReply` when it is a whole reply. */
  private complete(value: RespValue): void {
    let done = value;
    for (;;) {
      const frame = this.stack.at(-1);
      if (!frame) {
        this.onReply(done);
        return;
      }
      frame.items.push(done);
      if (--frame.remaining > 0) return;
      this.stack.pop();
      done = frame.items;
    }
  }
}

function simpleValue(type: number | undefined, line: string): RespValue {
  switch (type) {
    case 0x2b: // '+'
      return line;
    case 0x2d: // '-'
      return new RespError(line);
    case 0x3a: // ':'
      return parseInteger(line);
    default:
      throw new RespProtocolError(`unexpected RESP type byte ${String(type)}`);
  }
}

function parseInteger(line: string): number {
  const n = Number(line);
  if (line === '' || !Number.isInteger(n)) throw new RespProtocolError(`invalid RESP integer "${line}"`);
  return n;
}
