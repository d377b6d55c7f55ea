/**
 * The output log of a background process: bytes with absolute offsets, keeping only the newest
 * `capacity` bytes. Readers ask from an offset; if that part was dropped they learn how much they missed.
 */

/** Length of `buf` without a trailing incomplete UTF-8 sequence (it is returned on the next read). */
export function completeUtf8Length(buf: Buffer): number {
  let i = buf.length - 1;
  while (i >= 0 && buf.length - i < 4 && ((buf[i] ?? 0) & 0xc0) === 0x80) i--;
  if (i < 0) return buf.length;
  const lead = buf[i] ?? 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return buf.length - i < need ? i : buf.length;
}

export class ProcessLog {
  private readonly capacity: number;
  private chunks: Buffer[] = [];
  private kept = 0;
  /** Absolute offset of the first kept byte. */
  private start = 0;
  /** Bytes ever appended. */
  total = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  append(buf: Buffer): void {
    this.chunks.push(buf);
    this.kept += buf.length;
    this.total += buf.length;
    while (this.kept > this.capacity) {
      const first = this.chunks[0];
      if (!first) break;
      const excess = this.kept - this.capacity;
      if (first.length <= excess) {
        this.chunks.shift();
        this.kept -= first.length;
        this.start += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.kept -= excess;
        this.start += excess;
      }
    }
  }

  /** Up to `limit` bytes from `offset` (clamped to what is kept), ending on a whole UTF-8 character. */
  read(offset: number, limit: number): { data: Buffer; offset: number; skipped: number } {
    const from = Math.min(Math.max(offset, this.start), this.total);
    const skipped = offset < this.start ? this.start - offset : 0;
    const end = Math.min(this.total, from + limit);
    const parts: Buffer[] = [];
    let pos = this.start;
    for (const chunk of this.chunks) {
      const chunkEnd = pos + chunk.length;
      if (chunkEnd > from && pos < end)
        parts.push(chunk.subarray(Math.max(0, from - pos), Math.min(chunk.length, end - pos)));
      pos = chunkEnd;
      if (pos >= end) break;
    }
    const data = Buffer.concat(parts);
    return { data: data.subarray(0, completeUtf8Length(data)), offset: from, skipped };
  }
}
