/**
 * Ref discovery: `GET info/refs?service=…`, the remote's branches and tags with their tips and the
 * capabilities of its upload-pack or receive-pack (git's protocol v0 advertisement).
 */
import type { ObjectId } from '../object.ts';
import { packetText, readPackets } from '../pkt-line.ts';
import { RemoteError } from './errors.ts';
import { remoteRequest, type RemoteAccess } from './http.ts';

/** The remote's two services: fetching from it, pushing to it. */
export type Service = 'git-upload-pack' | 'git-receive-pack';

/** The id git uses for "no object": a ref that does not exist yet. */
export const ZERO_ID = '0'.repeat(40);

/** What the remote advertised. */
export interface Advertisement {
  /** Ref name (`refs/heads/main`) to its tip; peeled tags (`^{}`) left out. */
  refs: Map<string, ObjectId>;
  capabilities: Set<string>;
  /** The branch HEAD points at (`refs/heads/main`), when the remote says. */
  head: string | null;
}

/** Asks the remote for its refs; an empty repository advertises none. */
export async function discoverRefs(access: RemoteAccess, service: Service): Promise<Advertisement> {
  const bytes = await remoteRequest(access, `info/refs?service=${service}`, {
    method: 'GET',
    accept: `application/x-${service}-advertisement`,
  });
  return parseAdvertisement(bytes, service);
}

/** Parses an advertisement's pkt-lines. */
export function parseAdvertisement(bytes: Uint8Array, service: Service): Advertisement {
  const { packets } = readPackets(bytes);
  let at = 0;
  if (packetText(packets[0] ?? { kind: 'flush' })?.startsWith('# service=')) {
    if (packetText(packets[0]!) !== `# service=${service}`) {
      throw new RemoteError('protocol', 'The remote advertised another service.');
    }
    at = packets[1]?.kind === 'flush' ? 2 : 1;
  }
  const refs = new Map<string, ObjectId>();
  const capabilities = new Set<string>();
  let head: string | null = null;
  for (let first = true; at < packets.length; at++) {
    const packet = packets[at]!;
    if (packet.kind === 'flush') break;
    const text = packetText(packet);
    if (text === null) continue;
    if (text.startsWith('ERR ')) throw new RemoteError('protocol', `The remote says: ${text.slice(4)}`);
    let line = text;
    if (first) {
      first = false;
      const nul = text.indexOf('\0');
      if (nul >= 0) {
        line = text.slice(0, nul);
        for (const capability of text
          .slice(nul + 1)
          .split(' ')
          .filter(Boolean)) {
          capabilities.add(capability);
          if (capability.startsWith('symref=HEAD:')) head = capability.slice('symref=HEAD:'.length);
        }
      }
    }
    const match = /^([0-9a-f]{40}) (.+)$/.exec(line);
    if (!match) throw new RemoteError('protocol', 'The remote sent a malformed ref advertisement.');
    const [, id, name] = match as unknown as [string, string, string];
    if (name === 'capabilities^{}' || name.endsWith('^{}')) continue;
    refs.set(name, id);
  }
  return { refs, capabilities, head };
}
