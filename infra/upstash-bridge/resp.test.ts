import { describe, expect, it } from 'vitest';
import { encodeCommand, RespError, RespParser, RespProtocolError, type RespValue } from './resp.ts';

/** Feeds `wire` to a fresh parser in chunks of the given sizes (cycled) and returns the replies. */
function parse(wire: Buffer, chunkSizes: number[] = [wire.length]): RespValue[] {
  const replies: RespValue[] = [];
  const parser = new RespParser((value) => replies.push(value));
  let offset = 0;
  for (let i = 0; offset < wire.length; i++) {
    const size = chunkSizes[i % chunkSizes.length] ?? wire.length;
    parser.feed(wire.subarray(offset, offset + size));
    offset += size;
  }
  return replies;
}

const encodeBulk = (text: string): Buffer => Buffer.from(`$${Buffer.byteLength(text)}\r\n${text}\r\n`);

const wire = Buffer.concat([
  Buffer.from('+OK\r\n'),
  Buffer.from('-ERR wrong\r\n'),
  Buffer.from(':-42\r\n'),
  Buffer.from('$5\r\nhé\r\n\r\n'), // "hé\r\n": five bytes, with a CRLF inside the value
  Buffer.from('$-1\r\n'),
  Buffer.from('*-1\r\n'),
  Buffer.from('*0\r\n'),
  Buffer.from('*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n-NOSCRIPT x\r\n'),
]);

const expected: RespValue[] = [
  'OK',
  new RespError('ERR wrong'),
  -42,
  Buffer.from('hé\r\n'),
  null,
  null,
  [],
  [1, [Buffer.from('a'), null], new RespError('NOSCRIPT x')],
];

describe('RESP parsing', () => {
  it('parses every reply type, in order', () => {
    expect(parse(wire)).toEqual(expected);
  });

  it('gives the same replies however the stream is split', () => {
    expect(parse(wire, [1])).toEqual(expected);
    expect(parse(wire, [2, 3, 7])).toEqual(expected);
    expect(parse(wire, [13, 1, 5])).toEqual(expected);
  });

  it('reassembles a large bulk string that arrives in many chunks', () => {
    const value = Buffer.alloc(3 * 1024 * 1024, 0xab);
    const big = Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n:7\r\n')]);
    const [bulk, integer] = parse(big, [65536]);
    expect(Buffer.isBuffer(bulk) && bulk.equals(value)).toBe(true);
    expect(integer).toBe(7);
  });

  it('reassembles a long array that arrives in many chunks', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => `item-${i}`);
    const long = Buffer.concat([
      Buffer.from(`*${items.length}\r\n`),
      ...items.map((item) => encodeBulk(item)),
    ]);
    const [array] = parse(long, [1000, 7]);
    expect(Array.isArray(array) && array.map(String)).toEqual(items);
  });

  it('refuses bytes that are not RESP', () => {
    expect(() => parse(Buffer.from('?what\r\n'))).toThrow(RespProtocolError);
  });

  it('encodes commands as arrays of bulk strings, counting bytes not characters', () => {
    expect(encodeCommand(['SET', 'k', 'é']).toString()).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n');
    expect(encodeCommand([Buffer.from([0, 255])])).toEqual(
      Buffer.from([...Buffer.from('*1\r\n$2\r\n'), 0, 255, 13, 10]),
    );
  });
});
