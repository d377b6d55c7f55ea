/**
 * The runner's side of the supervisor's framing (mirrors inside/protocol.ts): frames are
 * `u8 type, u32 channel, u32 length, payload`. Also the Docker attach demultiplexer: without a TTY the
 * engine wraps each stdout/stderr write in an 8-byte header (`u8 stream, 3 zero bytes, u32 length`).
 */

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

const HEADER = 9;

/** Encodes one frame. */
export function encodeFrame(type: number, channel: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const header = Buffer.allocUnsafe(HEADER);
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

/** Splits a byte stream into frames of fixed-size header + declared length. */
class HeaderedReader {
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

/** Parses supervisor frames from its stdout bytes. */
export class FrameReader {
  private readonly reader: HeaderedReader;
  constructor(onFrame: (type: number, channel: number, payload: Buffer) => void) {
    this.reader = new HeaderedReader(
      HEADER,
      (h) => h.readUInt32BE(5),
      (h, payload) => onFrame(h.readUInt8(0), h.readUInt32BE(1), payload),
    );
  }
  push(chunk: Buffer): void {
    this.reader.push(chunk);
  }
}

/** Splits Docker's multiplexed attach stream into stdout (1) and stderr (2) payloads. */
export class DockerDemux {
  private readonly reader: HeaderedReader;
  constructor(onStdout: (chunk: Buffer) => void, onStderr: (chunk: Buffer) => void) {
    this.reader = new HeaderedReader(
      8,
      (h) => h.readUInt32BE(4),
      (h, payload) => (h.readUInt8(0) === 2 ? onStderr(payload) : onStdout(payload)),
    );
  }
  push(chunk: Buffer): void {
    this.reader.push(chunk);
  }
}
