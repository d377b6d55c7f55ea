/**
 * Writes a packfile (version 2) of whole objects: git's `PACK` header, each object's type and size
 * followed by its zlib-compressed body, and the SHA-1 of everything before as the trailer. No deltas: a
 * clone of a generated app is small, and the receiver (stock git) accepts undeltified packs as they are.
 */
import { concat, type GitObject, type ObjectType } from './object.ts';

/** A pack's type numbers. */
export const PACK_TYPE: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };

/** The variable-length type-and-size header of an object in a pack. */
export function objectHeader(type: number, size: number): Uint8Array {
  const bytes: number[] = [];
  let rest = Math.floor(size / 16);
  let byte = (type << 4) | (size & 0x0f);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Uint8Array.from(bytes);
}

/** zlib (RFC 1950) compression, as packs and loose objects use it. */
export async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A whole pack of `objects`, trailer included. */
export async function writePack(objects: readonly GitObject[]): Promise<Uint8Array> {
  const header = new Uint8Array(12);
  header.set([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2]); // "PACK", version 2
  new DataView(header.buffer).setUint32(8, objects.length);
  const parts: Uint8Array[] = [header];
  for (const object of objects) {
    parts.push(objectHeader(PACK_TYPE[object.type], object.body.length), await deflate(object.body));
  }
  const body = concat(parts);
  const trailer = new Uint8Array(await crypto.subtle.digest('SHA-1', body));
  return concat([body, trailer]);
}
