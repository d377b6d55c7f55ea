/**
 * Reads a packfile (version 2 or 3) as a remote sends it: whole objects and deltas against another
 * object of the pack (OFS_DELTA) or against one named by id (REF_DELTA), which in a thin pack is an
 * object the receiver already has. Checks the pack's SHA-1 trailer, resolves every delta and returns
 * each object with the id computed from its content.
 */
import { toHex } from '../../crypto/bytes.ts';
import { objectId, type GitObject, type ObjectId, type ObjectType } from '../object.ts';
import type { ObjectStore } from '../store.ts';
import { applyDelta, deltaTargetSize } from './delta.ts';
import { RemoteTooLargeError } from './errors.ts';
import { inflate } from './inflate.ts';

/** A pack that is malformed, truncated, or names a base object nobody has. */
export class PackError extends Error {
  override readonly name = 'PackError';
}

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

/** One entry of the pack as stored: a whole object, or a delta and where its base is. */
type Entry = { offset: number; kind: 'whole'; type: ObjectType; body: Uint8Array } | DeltaEntry;
type DeltaEntry =
  | { offset: number; kind: 'ofs'; baseOffset: number; delta: Uint8Array }
  | { offset: number; kind: 'ref'; baseId: ObjectId; delta: Uint8Array };

/** An object read from a pack, with its id. */
export interface PackedObject extends GitObject {
  id: ObjectId;
}

/**
 * Every object of `pack`, deltas resolved. `store` provides the bases of a thin pack's REF_DELTAs that
 * are not in the pack itself; with `keep`, each object is also put into it as it is read (its id is
 * then the store's, computed once).
 */
export async function readPack(
  pack: Uint8Array,
  store?: ObjectStore,
  opts: {
    keep?: boolean;
    /** The most the pack's objects (and its deltas' results) may unpack to: beyond it, `RemoteTooLargeError`. */
    maxBytes?: number;
  } = {},
): Promise<PackedObject[]> {
  let budget = opts.maxBytes ?? Infinity;
  /** Counts `n` unpacked bytes against the budget, before they are allocated. */
  const spend = (n: number) => {
    budget -= n;
    if (budget < 0) throw new RemoteTooLargeError(opts.maxBytes ?? 0);
  };
  if (pack.length < 32) throw new PackError('a pack too short to hold its header and trailer');
  const view = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
  if (view.getUint32(0) !== 0x5041434b) throw new PackError('not a pack');
  const version = view.getUint32(4);
  if (version !== 2 && version !== 3) throw new PackError(`a pack of version ${version}`);
  const count = view.getUint32(8);
  const bodyEnd = pack.length - 20;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', pack.subarray(0, bodyEnd)));
  if (toHex(digest) !== toHex(pack.subarray(bodyEnd)))
    throw new PackError('the pack’s checksum does not match');

  const entries: Entry[] = [];
  let at = 12;
  for (let i = 0; i < count; i++) {
    if (at >= bodyEnd) throw new PackError('a pack with fewer objects than its header says');
    const offset = at;
    let byte = pack[at++]!;
    const type = (byte >> 4) & 7;
    let size = byte & 0x0f;
    for (let shift = 4; byte & 0x80; shift += 7) {
      byte = pack[at++]!;
      size += (byte & 0x7f) * 2 ** shift;
    }
    if (type === OFS_DELTA) {
      byte = pack[at++]!;
      let back = byte & 0x7f;
      while (byte & 0x80) {
        byte = pack[at++]!;
        back = (back + 1) * 128 + (byte & 0x7f);
      }
      spend(size);
      const { data, end } = inflate(pack, at, size, size);
      entries.push({ offset, kind: 'ofs', baseOffset: offset - back, delta: data });
      at = end;
    } else if (type === REF_DELTA) {
      const baseId = toHex(pack.subarray(at, at + 20));
      spend(size);
      const { data, end } = inflate(pack, at + 20, size, size);
      entries.push({ offset, kind: 'ref', baseId, delta: data });
      at = end;
    } else {
      const objectType = TYPES[type];
      if (!objectType) throw new PackError(`an object of unknown type ${type}`);
      spend(size);
      const { data, end } = inflate(pack, at, size, size);
      if (data.length !== size) throw new PackError('an object whose size is not the one its header says');
      entries.push({ offset, kind: 'whole', type: objectType, body: data });
      at = end;
    }
  }
  if (at !== bodyEnd) throw new PackError('a pack with more data than its objects');
  return resolve(entries, store, opts.keep === true, spend);
}

/** Resolves the deltas; a delta's base may itself be a delta (chains are followed, each once). */
async function resolve(
  entries: Entry[],
  store: ObjectStore | undefined,
  keep: boolean,
  spend: (bytes: number) => void,
): Promise<PackedObject[]> {
  const byOffset = new Map<number, Entry>(entries.map((e) => [e.offset, e]));
  const resolved = new Map<number, PackedObject>();
  const byId = new Map<ObjectId, PackedObject>();

  const finish = async (entry: Entry, type: ObjectType, body: Uint8Array) => {
    const id = keep && store ? await store.put({ type, body }) : await objectId(type, body);
    const object = { id, type, body };
    resolved.set(entry.offset, object);
    byId.set(object.id, object);
    return object;
  };
  for (const entry of entries) if (entry.kind === 'whole') await finish(entry, entry.type, entry.body);

  // A REF_DELTA may name a base that is itself a delta later in the pack: repeat while progress is made.
  let pending = entries.filter((e): e is DeltaEntry => e.kind !== 'whole');
  while (pending.length > 0) {
    const left: DeltaEntry[] = [];
    for (const entry of pending) {
      const base = await baseOf(entry, byOffset, resolved, byId, store);
      if (!base) {
        left.push(entry);
        continue;
      }
      spend(deltaTargetSize(entry.delta));
      await finish(entry, base.type, applyDelta(base.body, entry.delta));
    }
    if (left.length === pending.length) {
      const missing = left.find((e) => e.kind === 'ref');
      throw new PackError(
        missing?.kind === 'ref'
          ? `a delta against ${missing.baseId}, which neither side has`
          : 'a delta cycle',
      );
    }
    pending = left;
  }
  return entries.map((e) => resolved.get(e.offset)!);
}

async function baseOf(
  entry: DeltaEntry,
  byOffset: Map<number, Entry>,
  resolved: Map<number, PackedObject>,
  byId: Map<ObjectId, PackedObject>,
  store: ObjectStore | undefined,
): Promise<GitObject | null> {
  if (entry.kind === 'ofs') {
    if (!byOffset.has(entry.baseOffset)) throw new PackError('a delta whose base offset is no object');
    return resolved.get(entry.baseOffset) ?? null;
  }
  return byId.get(entry.baseId) ?? (store ? await store.get(entry.baseId) : null);
}
