/** The per-command output cap. */
import { FRAME } from '../frames.ts';
import { send, sendJson } from './protocol.ts';

/** Keeps the first half of the output live and a ring of the last half, so a flood keeps its tail. */
export class OutputCap {
  private headLeft: number;
  private readonly tailMax: number;
  private tail: { type: number; buf: Buffer }[] = [];
  private tailLen = 0;
  omitted = 0;
  constructor(limit: number) {
    this.headLeft = Math.floor(limit / 2);
    this.tailMax = limit - this.headLeft;
  }
  push(type: number, channel: number, buf: Buffer): void {
    if (this.headLeft > 0) {
      const head = buf.subarray(0, this.headLeft);
      this.headLeft -= head.length;
      send(type, channel, head);
      buf = buf.subarray(head.length);
      if (buf.length === 0) return;
    }
    this.tail.push({ type, buf });
    this.tailLen += buf.length;
    while (this.tailLen > this.tailMax) {
      const first = this.tail[0];
      if (!first) break;
      const excess = this.tailLen - this.tailMax;
      if (first.buf.length <= excess) {
        this.tail.shift();
        this.tailLen -= first.buf.length;
        this.omitted += first.buf.length;
      } else {
        first.buf = first.buf.subarray(excess);
        this.tailLen -= excess;
        this.omitted += excess;
      }
    }
  }
  flush(channel: number): void {
    if (this.omitted > 0) sendJson(FRAME.EVENT, channel, { t: 'truncated', omittedBytes: this.omitted });
    for (const { type, buf } of this.tail) send(type, channel, buf);
    this.tail = [];
    this.tailLen = 0;
  }
}
