/**
 * Git's delta format (gitformat-pack, "Deltified representation"): the sizes of the base and the
 * result, then instructions that copy a range of the base or insert literal bytes.
 */

/** A delta that does not apply to its base. */
export class DeltaError extends Error {
  override readonly name = 'DeltaError';
}

/** Applies `delta` to `base` and returns the result. */
export function applyDelta(base: Uint8Array, delta: Uint8Array): Uint8Array {
  let at = 0;
  const size = () => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      if (at >= delta.length) throw new DeltaError('a truncated delta');
      byte = delta[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  if (size() !== base.length) throw new DeltaError('a delta for a base of another size');
  const out = new Uint8Array(size());
  let written = 0;
  while (at < delta.length) {
    const op = delta[at++]!;
    if (op & 0x80) {
      let offset = 0;
      let length = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) offset += delta[at++]! * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (op & (0x10 << i)) length += delta[at++]! * 2 ** (8 * i);
      if (length === 0) length = 0x10000;
      if (offset + length > base.length || written + length > out.length) {
        throw new DeltaError('a delta copies past its base or its result');
      }
      out.set(base.subarray(offset, offset + length), written);
      written += length;
    } else if (op > 0) {
      if (at + op > delta.length || written + op > out.length) throw new DeltaError('a truncated delta');
      out.set(delta.subarray(at, at + op), written);
      written += op;
      at += op;
    } else throw new DeltaError('a reserved delta instruction');
  }
  if (written !== out.length) throw new DeltaError('a delta whose result is short');
  return out;
}

/** The size of the object `delta` makes (its header's second number), read without applying it. */
export function deltaTargetSize(delta: Uint8Array): number {
  let at = 0;
  let value = 0;
  for (let field = 0; field < 2; field++) {
    value = 0;
    let shift = 0;
    let byte: number;
    do {
      if (at >= delta.length) throw new DeltaError('a truncated delta');
      byte = delta[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
  }
  return value;
}
