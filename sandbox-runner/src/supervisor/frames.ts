/**
 * The supervisor's framing, one module for both ends: the runner imports it, and the supervisor's bundle
 * (source.ts) carries it into the sandbox. A frame is `u8 type, u32 channel, u32 length, payload`.
 * It imports nothing, so it runs in any sandbox image's Node.
 */

/** Frame types. Requests and replies are JSON; output, stdin and tunnel bytes are raw. */
export const FRAME = {
  REQ: 1,
  RES: 2,
  EVENT: 3,
  STDOUT: 4,
  STDERR: 5,
  STDIN: 6,
  STDIN_END: 7,
  TUN_DATA: 8,
  TUN_END: 9,
  TUN_CLOSE: 10,
} as const;

/** One of {@link FRAME}'s values. */
export type FrameType = (typeof FRAME)[keyof typeof FRAME];

/** Bytes of a frame's header: type, channel, payload length. */
export const FRAME_HEADER_BYTES = 9;

/** Encodes one frame. */
export function encodeFrame(type: number, channel: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(channel, 1);
  header.writeUInt32BE(payload.length, 5);
  return payload.length ? Buffer.concat([header, payload]) : header;
}

/** A byte queue that hands out exact lengths without re-copying everything on each chunk. */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
  take(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.length -= n;
      return first.subarray(0, n);
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.length -= n;
    return all.subarray(0, n);
  }
}

/** Splits a byte stream into messages of a fixed-size header and the length that header declares. */
export class HeaderedReader {
  private readonly queue = new ByteQueue();
  private pending: Buffer | null = null;
  private readonly headerSize: number;
  private readonly lengthOf: (header: Buffer) => number;
  private readonly onMessage: (header: Buffer, payload: Buffer) => void;
  constructor(
    headerSize: number,
    lengthOf: (header: Buffer) => number,
    onMessage: (header: Buffer, payload: Buffer) => void,
  ) {
    this.headerSize = headerSize;
    this.lengthOf = lengthOf;
    this.onMessage = onMessage;
  }
  push(chunk: Buffer): void {
    this.queue.push(chunk);
    for (;;) {
      if (!this.pending) {
        if (this.queue.length < this.headerSize) return;
        this.pending = this.queue.take(this.headerSize);
      }
      const length = this.lengthOf(this.pending);
      if (this.queue.length < length) return;
      const header = this.pending;
      this.pending = null;
      this.onMessage(header, length ? this.queue.take(length) : Buffer.alloc(0));
    }
  }
}

/** Parses frames from a byte stream (the supervisor's stdout on the runner's end, its stdin inside). */
export class FrameReader {
  private readonly reader: HeaderedReader;
  constructor(onFrame: (type: number, channel: number, payload: Buffer) => void) {
    this.reader = new HeaderedReader(
      FRAME_HEADER_BYTES,
      (h) => h.readUInt32BE(5),
      (h, payload) => onFrame(h.readUInt8(0), h.readUInt32BE(1), payload),
    );
  }
  push(chunk: Buffer): void {
    this.reader.push(chunk);
  }
}
