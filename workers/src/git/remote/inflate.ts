/**
 * zlib (RFC 1950) decompression that says where the compressed stream ended. A pack stores its objects
 * as zlib streams back to back with no lengths between them, so a reader must know where each one ends;
 * the platform's `DecompressionStream` does not tell, hence this small inflater (RFC 1951 in plain code,
 * no runtime imports, so it runs in workerd as in Node).
 */

/** A malformed or truncated zlib stream. */
export class InflateError extends Error {
  override readonly name = 'InflateError';
}

const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * A canonical Huffman code as a lookup table indexed by the next `bits` input bits (least significant
 * first, as deflate packs them): each entry is `symbol << 4 | length`, or 0 where no code matches.
 */
interface Huffman {
  table: Uint32Array;
  bits: number;
}

function buildHuffman(lengths: ArrayLike<number>): Huffman {
  let max = 0;
  for (let i = 0; i < lengths.length; i++) if (lengths[i]! > max) max = lengths[i]!;
  const bits = Math.max(max, 1);
  const counts = new Uint16Array(16);
  for (let i = 0; i < lengths.length; i++) counts[lengths[i]!]!++;
  counts[0] = 0;
  const next = new Uint16Array(16);
  let code = 0;
  for (let len = 1; len <= 15; len++) {
    code = (code + counts[len - 1]!) << 1;
    next[len] = code;
  }
  const table = new Uint32Array(1 << bits);
  for (let symbol = 0; symbol < lengths.length; symbol++) {
    const len = lengths[symbol]!;
    if (len === 0) continue;
    // Deflate sends codes most significant bit first; the table is indexed by the bits as read.
    let reversed = 0;
    for (let i = 0, c = next[len]!++; i < len; i++, c >>= 1) reversed = (reversed << 1) | (c & 1);
    const entry = (symbol << 4) | len;
    for (let fill = reversed; fill < table.length; fill += 1 << len) table[fill] = entry;
  }
  return { table, bits };
}

const FIXED_LITERALS = buildHuffman(
  Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)),
);
const FIXED_DISTANCES = buildHuffman(Array.from({ length: 30 }, () => 5));

/**
 * Inflates one zlib stream starting at `start`. `sizeHint`: the expected output size, when known;
 * `maxOut`: the most it may inflate to (a stream that says little and inflates to gigabytes is refused
 * as soon as it passes the mark, not once memory runs out).
 */
export function inflate(
  input: Uint8Array,
  start: number,
  sizeHint = 0,
  maxOut = Infinity,
): { data: Uint8Array; end: number } {
  let pos = start;
  let bitBuffer = 0;
  let bitCount = 0;
  let out = new Uint8Array(Math.max(sizeHint, 64));
  let outLength = 0;

  const need = (n: number) => {
    while (bitCount < n) {
      if (pos >= input.length) throw new InflateError('a truncated zlib stream');
      bitBuffer |= input[pos++]! << bitCount;
      bitCount += 8;
    }
  };
  const bits = (n: number) => {
    need(n);
    const value = bitBuffer & ((1 << n) - 1);
    bitBuffer >>>= n;
    bitCount -= n;
    return value;
  };
  const decode = (code: Huffman) => {
    // Near the end of the input fewer bits than the table's width may be left; pad with zeros.
    while (bitCount < code.bits && pos < input.length) {
      bitBuffer |= input[pos++]! << bitCount;
      bitCount += 8;
    }
    const entry = code.table[bitBuffer & ((1 << code.bits) - 1)]!;
    const len = entry & 15;
    if (len === 0 || len > bitCount) throw new InflateError('an invalid Huffman code');
    bitBuffer >>>= len;
    bitCount -= len;
    return entry >> 4;
  };
  const room = (n: number) => {
    if (outLength + n <= out.length) return;
    if (outLength + n > maxOut) throw new InflateError('a zlib stream larger than its object says');
    let size = out.length * 2;
    while (size < outLength + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(out.subarray(0, outLength));
    out = grown;
  };

  if (input.length - pos < 2) throw new InflateError('a truncated zlib stream');
  const cmf = input[pos]!;
  const flg = input[pos + 1]!;
  if ((cmf & 0x0f) !== 8 || ((cmf << 8) | flg) % 31 !== 0 || flg & 0x20) {
    throw new InflateError('not a zlib stream');
  }
  pos += 2;

  let last = 0;
  while (!last) {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      // A stored block starts at the next byte: give back whole bytes read ahead, drop the padding.
      pos -= bitCount >> 3;
      bitBuffer = 0;
      bitCount = 0;
      if (pos + 4 > input.length) throw new InflateError('a truncated stored block');
      const len = input[pos]! | (input[pos + 1]! << 8);
      const nlen = input[pos + 2]! | (input[pos + 3]! << 8);
      if ((len ^ 0xffff) !== nlen) throw new InflateError('a corrupt stored block');
      pos += 4;
      if (pos + len > input.length) throw new InflateError('a truncated stored block');
      room(len);
      out.set(input.subarray(pos, pos + len), outLength);
      outLength += len;
      pos += len;
      continue;
    }
    let literals = FIXED_LITERALS;
    let distances = FIXED_DISTANCES;
    if (type === 2) {
      const literalCount = bits(5) + 257;
      const distanceCount = bits(5) + 1;
      const lengthCodeCount = bits(4) + 4;
      const codeLengths = new Uint8Array(19);
      for (let i = 0; i < lengthCodeCount; i++) codeLengths[CODE_LENGTH_ORDER[i]!] = bits(3);
      const lengthCode = buildHuffman(codeLengths);
      const lengths = new Uint8Array(literalCount + distanceCount);
      for (let i = 0; i < lengths.length;) {
        const symbol = decode(lengthCode);
        if (symbol < 16) lengths[i++] = symbol;
        else {
          const [value, repeat] =
            symbol === 16
              ? [i > 0 ? lengths[i - 1]! : -1, 3 + bits(2)]
              : symbol === 17
                ? [0, 3 + bits(3)]
                : [0, 11 + bits(7)];
          if (value < 0 || i + repeat > lengths.length) throw new InflateError('corrupt code lengths');
          lengths.fill(value, i, i + repeat);
          i += repeat;
        }
      }
      literals = buildHuffman(lengths.subarray(0, literalCount));
      distances = buildHuffman(lengths.subarray(literalCount));
    } else if (type !== 1) throw new InflateError('an invalid block type');

    for (;;) {
      const symbol = decode(literals);
      if (symbol < 256) {
        room(1);
        out[outLength++] = symbol;
      } else if (symbol === 256) break;
      else {
        const li = symbol - 257;
        if (li >= 29) throw new InflateError('an invalid length code');
        const length = LENGTH_BASE[li]! + bits(LENGTH_EXTRA[li]!);
        const di = decode(distances);
        if (di >= 30) throw new InflateError('an invalid distance code');
        const distance = DIST_BASE[di]! + bits(DIST_EXTRA[di]!);
        if (distance > outLength) throw new InflateError('a distance before the start of the output');
        room(length);
        for (let i = 0; i < length; i++, outLength++) out[outLength] = out[outLength - distance]!;
      }
    }
  }
  // Whole bytes still in the bit buffer were read ahead: give them back; the rest pads the last byte.
  pos -= bitCount >> 3;
  if (pos + 4 > input.length) throw new InflateError('a zlib stream without its checksum');
  const data = out.length === outLength ? out : out.slice(0, outLength);
  const expected =
    ((input[pos]! << 24) | (input[pos + 1]! << 16) | (input[pos + 2]! << 8) | input[pos + 3]!) >>> 0;
  if (adler32(data) !== expected) throw new InflateError('a zlib stream whose checksum does not match');
  return { data, end: pos + 4 };
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length;) {
    // 5552 bytes is the most that can be summed before the 32-bit sums could overflow.
    const stop = Math.min(i + 5552, data.length);
    for (; i < stop; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
