/**
 * Docker's multiplexed attach stream: without a TTY the engine wraps each stdout/stderr write of the
 * container's main process in an 8-byte header (`u8 stream, 3 zero bytes, u32 length`).
 */
import { HeaderedReader } from './frames.ts';

/** Splits the attach stream into stdout (1) and stderr (2) payloads. */
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
