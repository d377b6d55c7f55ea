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

/** Marks "not enough bytes yet"; `need` is the total buffer length that could complete the value. */
class Incomplete {
  readonly need: number;
  constructor(need: number) {
    this.need = need;
  }
}

type Parsed = { value: RespValue; end: number };

/**
 * Incremental parser: feed it chunks, it calls `onReply` once per complete top-level reply, in order.
 *
 * Why chunks are kept in a list and joined only when a reply can be complete: a large bulk string arrives
 * in many chunks, and re-joining and re-parsing on every chunk would be quadratic.
 */
export class RespParser {
  private chunks: Buffer[] = [];
  private length = 0;
  private need = 0;
  private readonly onReply: (value: RespValue) => void;

  constructor(onReply: (value: RespValue) => void) {
    this.onReply = onReply;
  }

  feed(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length < this.need) return;
    let buf = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.length);
    let offset = 0;
    for (;;) {
      if (offset >= buf.length) {
        buf = Buffer.alloc(0);
        break;
      }
      const parsed = parseValue(buf, offset);
      if (parsed instanceof Incomplete) {
        buf = buf.subarray(offset);
        this.need = parsed.need - offset;
        break;
      }
      offset = parsed.end;
      this.need = 0;
      this.onReply(parsed.value);
    }
    this.chunks = buf.length > 0 ? [buf] : [];
    this.length = buf.length;
  }
}

function parseValue(buf: Buffer, start: number): Parsed | Incomplete {
  const lineEnd = buf.indexOf(CRLF, start + 1);
  if (lineEnd === -1) return new Incomplete(buf.length + 1);
  const type = buf[start];
  const line = buf.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case 0x2b: // '+'
      return { value: line, end: next };
    case 0x2d: // '-'
      return { value: new RespError(line), end: next };
    case 0x3a: // ':'
      return { value: parseInteger(line), end: next };
    case 0x24: {
      // '$'
      const size = parseInteger(line);
      if (size < 0) return { value: null, end: next };
      const end = next + size + 2;
      if (buf.length < end) return new Incomplete(end);
      return { value: Buffer.from(buf.subarray(next, next + size)), end };
    }
    case 0x2a: {
      // '*'
      const count = parseInteger(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let offset = next;
      for (let i = 0; i < count; i++) {
        const item = parseValue(buf, offset);
        if (item instanceof Incomplete) return item;
        items.push(item.value);
        offset = item.end;
      }
      return { value: items, end: offset };
    }
    default:
      throw new RespProtocolError(`unexpected RESP type byte ${String(type)}`);
  }
}

function parseInteger(line: string): number {
  const n = Number(line);
  if (!Number.isInteger(n)) throw new RespProtocolError(`invalid RESP integer "${line}"`);
  return n;
}
