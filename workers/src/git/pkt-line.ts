/**
 * Git's pkt-line framing, the unit of its smart HTTP protocol: four hex digits of length (the length's
 * own four included) and the payload; `0000` flush, `0001` delimiter, `0002` end of a response. Pack data
 * in a fetch's answer travels in side-band-64k frames: one channel byte (1 data, 2 progress, 3 error)
 * after the length.
 */
import { concat } from './object.ts';
import { fromUtf8, utf8 } from '../crypto/bytes.ts';

/** Largest payload of one pkt-line (65520 bytes in all, minus the four of the length). */
export const MAX_PKT_PAYLOAD = 65516;

/** One pkt-line of text or bytes. */
export function pktLine(payload: string | Uint8Array): Uint8Array {
  const bytes = typeof payload === 'string' ? utf8(payload) : payload;
  if (bytes.length > MAX_PKT_PAYLOAD) throw new Error(`a pkt-line of ${bytes.length} bytes`);
  return concat([utf8((bytes.length + 4).toString(16).padStart(4, '0')), bytes]);
}

/** The flush packet: the end of a section. */
export const FLUSH = utf8('0000');
/** The delimiter packet (protocol v2): between a command's capabilities and its arguments. */
export const DELIM = utf8('0001');

/** A side band's channels. */
export const BAND = { data: 1, progress: 2, error: 3 } as const;

/** Data on one side-band-64k channel, cut into frames that fit a pkt-line. */
export function sideBand(channel: number, data: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const room = MAX_PKT_PAYLOAD - 1;
  for (let at = 0; at < data.length; at += room) {
    const chunk = data.subarray(at, Math.min(at + room, data.length));
    frames.push(pktLine(concat([Uint8Array.of(channel), chunk])));
  }
  return frames;
}

/** A read pkt-line: a payload, or one of the special packets. */
export type Packet = { kind: 'data'; payload: Uint8Array } | { kind: 'flush' | 'delim' | 'end' };

/**
 * Reads pkt-lines from the start of `bytes`. Stops at the end or at the first thing that is not a
 * pkt-line, and says where it stopped (a fetch's answer goes on with a raw pack after its lines).
 */
export function readPackets(bytes: Uint8Array, from = 0): { packets: Packet[]; end: number } {
  const packets: Packet[] = [];
  let at = from;
  while (at + 4 <= bytes.length) {
    const head = fromUtf8(bytes.subarray(at, at + 4));
    if (!/^[0-9a-f]{4}$/.test(head)) break;
    const length = parseInt(head, 16);
    if (length === 0) packets.push({ kind: 'flush' });
    else if (length === 1) packets.push({ kind: 'delim' });
    else if (length === 2) packets.push({ kind: 'end' });
    else if (length < 4 || at + length > bytes.length) break;
    else packets.push({ kind: 'data', payload: bytes.subarray(at + 4, at + length) });
    at += length < 4 ? 4 : length;
  }
  return { packets, end: at };
}

/** A data packet's payload as text, without its trailing newline. */
export function packetText(packet: Packet): string | null {
  if (packet.kind !== 'data') return null;
  const text = fromUtf8(packet.payload);
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
