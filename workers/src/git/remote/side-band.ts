/**
 * Reads a smart-HTTP answer that carries its payload in side-band-64k frames: channel 1 is data (a pack,
 * or receive-pack's status report), 2 progress text for the user, 3 a fatal error from the remote.
 */
import { concat } from '../object.ts';
import { fromUtf8 } from '../../crypto/bytes.ts';
import { readPackets, type Packet } from '../pkt-line.ts';
import { RemoteError } from './errors.ts';

/** The payload of channel 1 and the progress lines of channel 2. */
export interface Demuxed {
  data: Uint8Array;
  progress: string[];
}

/** At most this many progress lines are kept (a remote could send any number). */
const MAX_PROGRESS_LINES = 200;

/** Demultiplexes side-band frames; a frame on channel 3 becomes a {@link RemoteError}. */
export function demuxSideBand(packets: readonly Packet[]): Demuxed {
  const data: Uint8Array[] = [];
  let progressText = '';
  for (const packet of packets) {
    if (packet.kind !== 'data' || packet.payload.length === 0) continue;
    const channel = packet.payload[0];
    const payload = packet.payload.subarray(1);
    if (channel === 1) data.push(payload);
    else if (channel === 2) progressText += fromUtf8(payload);
    else if (channel === 3)
      throw new RemoteError('protocol', `The remote failed: ${fromUtf8(payload).trim()}`);
  }
  const progress = progressText
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-MAX_PROGRESS_LINES);
  return { data: concat(data), progress };
}

/** All pkt-lines of an answer, or a protocol error when something else is in the middle of them. */
export function packetsOf(bytes: Uint8Array): Packet[] {
  const { packets, end } = readPackets(bytes);
  if (end !== bytes.length) throw new RemoteError('protocol', 'The remote sent a malformed answer.');
  return packets;
}
