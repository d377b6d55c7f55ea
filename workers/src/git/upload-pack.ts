/**
 * The server side of git's smart HTTP fetch (protocol v0, stateless): the ref advertisement of
 * `GET info/refs?service=git-upload-pack`, and the answer to `POST git-upload-pack` (acknowledgements,
 * then the pack of what the client lacks, on side band 1 when it asked for side-band-64k).
 *
 * Why v0 only: a client that asks for v2 (`Git-Protocol: version=2`) accepts a v0 answer, and v0's
 * negotiation is enough for a project's history. Why no multi_ack: without it, the server acknowledges
 * the first common commit and the client then says `done`; fewer rounds to get wrong.
 */
import { concat, type ObjectId } from './object.ts';
import { writePack } from './pack-writer.ts';
import { BAND, FLUSH, packetText, pktLine, readPackets, sideBand } from './pkt-line.ts';
import type { RepositoryRefs } from './history.ts';
import type { ObjectStore } from './store.ts';
import { objectsToSend } from './walk.ts';

const ZERO_ID = '0'.repeat(40);
const AGENT = 'agent=samokoder/1';

/** The content types of the service's answers. */
export const UPLOAD_PACK_TYPES = {
  advertisement: 'application/x-git-upload-pack-advertisement',
  result: 'application/x-git-upload-pack-result',
} as const;

/** The answer to `GET info/refs?service=git-upload-pack`. */
export function advertiseRefs(repo: RepositoryRefs): Uint8Array {
  const caps = ['side-band-64k', 'no-progress', 'object-format=sha1', AGENT];
  if (repo.head) caps.push(`symref=HEAD:${repo.head}`);
  const lines: { id: ObjectId; name: string }[] = [];
  const headId = repo.head ? repo.refs.find((r) => r.name === repo.head)?.id : undefined;
  if (headId) lines.push({ id: headId, name: 'HEAD' });
  lines.push(...repo.refs);
  const parts = [pktLine('# service=git-upload-pack\n'), FLUSH];
  if (lines.length === 0) parts.push(pktLine(`${ZERO_ID} capabilities^{}\0${caps.join(' ')}\n`));
  lines.forEach((line, i) =>
    parts.push(
      pktLine(i === 0 ? `${line.id} ${line.name}\0${caps.join(' ')}\n` : `${line.id} ${line.name}\n`),
    ),
  );
  parts.push(FLUSH);
  return concat(parts);
}

/** A request's wants, haves and whether the client is done negotiating. */
interface FetchRequest {
  wants: ObjectId[];
  haves: ObjectId[];
  done: boolean;
  sideBand: boolean;
}

function parseRequest(body: Uint8Array): FetchRequest | string {
  const request: FetchRequest = { wants: [], haves: [], done: false, sideBand: false };
  for (const packet of readPackets(body).packets) {
    const text = packetText(packet);
    if (text === null) continue;
    const [word, id, ...caps] = text.split(' ');
    if (word === 'want' && id && /^[0-9a-f]{40}$/.test(id)) {
      if (request.wants.length === 0) request.sideBand = caps.includes('side-band-64k');
      request.wants.push(id);
    } else if (word === 'have' && id && /^[0-9a-f]{40}$/.test(id)) request.haves.push(id);
    else if (word === 'done') request.done = true;
    else if (word === 'shallow' || word?.startsWith('deepen')) return 'shallow clones are not offered';
    else return `unexpected line: ${text.slice(0, 60)}`;
  }
  if (request.wants.length === 0) return 'no wants';
  return request;
}

/** An error the client shows (`fatal: remote error: ...`). */
function errorAnswer(message: string): Uint8Array {
  return concat([pktLine(`ERR ${message}\n`)]);
}

/** The answer to `POST git-upload-pack` over `store`, whose tips are `repo`'s refs. */
export async function uploadPack(
  store: ObjectStore,
  repo: RepositoryRefs,
  body: Uint8Array,
): Promise<Uint8Array> {
  const request = parseRequest(body);
  if (typeof request === 'string') return errorAnswer(`upload-pack: ${request}`);
  const tips = new Set(repo.refs.map((r) => r.id));
  for (const want of request.wants) {
    // A commit of the history is fine too (a ref that moved between the client's two requests).
    const object = tips.has(want) ? null : await store.get(want);
    if (!tips.has(want) && object?.type !== 'commit') return errorAnswer(`upload-pack: not our ref ${want}`);
  }
  const parts: Uint8Array[] = [];
  const common = new Set<ObjectId>();
  for (const have of request.haves) {
    const object = await store.get(have);
    if (object?.type !== 'commit') continue;
    // Without multi_ack, only the first common commit is acknowledged.
    if (common.size === 0) parts.push(pktLine(`ACK ${have}\n`));
    common.add(have);
  }
  if (common.size === 0) parts.push(pktLine('NAK\n'));
  if (!request.done) return concat(parts);

  const ids = await objectsToSend(store, request.wants, common);
  const objects = [];
  for (const id of ids) {
    const object = await store.get(id);
    if (!object) return concat([...parts, ...failure(request.sideBand, `missing object ${id}`)]);
    objects.push(object);
  }
  const pack = await writePack(objects);
  if (!request.sideBand) return concat([...parts, pack]);
  return concat([...parts, ...sideBand(BAND.data, pack), FLUSH]);
}

function failure(sideBandAsked: boolean, message: string): Uint8Array[] {
  return sideBandAsked
    ? sideBand(BAND.error, new TextEncoder().encode(`${message}\n`))
    : [errorAnswer(message)];
}
