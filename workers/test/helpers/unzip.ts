/**
 * A minimal zip reader for tests: walks the central directory, inflates with DecompressionStream and
 * checks every CRC, so a test can assert what an exported archive really contains. Runs in workerd
 * and in Node.
 */

export interface UnzippedEntry {
  path: string;
  method: number;
  data: Uint8Array;
  /** Unix mode from the external attributes. */
  mode: number;
}

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([new Uint8Array(data)])
    .stream()
    .pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function unzip(archive: Uint8Array): Promise<UnzippedEntry[]> {
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const eocd = archive.length - 22;
  if (view.getUint32(eocd, true) !== 0x06054b50) throw new Error('no end-of-central-directory record');
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const entries: UnzippedEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error(`bad central header ${i}`);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true);
    const comment = view.getUint16(at + 32, true);
    const mode = view.getUint32(at + 38, true) >>> 16;
    const local = view.getUint32(at + 42, true);
    const path = new TextDecoder().decode(archive.subarray(at + 46, at + 46 + nameLength));
    if (view.getUint32(local, true) !== 0x04034b50) throw new Error(`bad local header for ${path}`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const body = archive.subarray(start, start + compressed);
    const data = method === 8 ? await inflateRaw(body) : method === 0 ? body : null;
    if (!data) throw new Error(`unsupported method ${method} for ${path}`);
    if (data.length !== size) throw new Error(`size mismatch for ${path}`);
    if (crc32(data) !== crc) throw new Error(`CRC mismatch for ${path}`);
    entries.push({ path, method, data, mode });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}
