/**
 * Fetch of one branch from a remote into an {@link ObjectStore}: ref discovery, upload-pack negotiation
 * (protocol v0 over stateless HTTP: wants, haves from what the store already has, done), the pack read
 * with its deltas resolved, and a check that everything the new tip reaches arrived. A shallow fetch
 * (`depth`) asks for the last commits only, as `git clone --depth` does: their parents stay unknown.
 */
import { fromUtf8 } from '../../crypto/bytes.ts';
import { concat, parseCommit, parseTree, type ObjectId } from '../object.ts';
import { FLUSH, pktLine, readPackets } from '../pkt-line.ts';
import type { ObjectStore } from '../store.ts';
import { discoverRefs } from './discovery.ts';
import { RemoteError } from './errors.ts';
import { AGENT, remoteRequest, type RemoteAccess } from './http.ts';
import { readPack } from './pack-reader.ts';
import { demuxSideBand } from './side-band.ts';

/** How many of the local history's commits are offered as haves (newest first). */
const MAX_HAVES = 256;

export interface FetchRefOptions extends RemoteAccess {
  store: ObjectStore;
  /** The branch: `main` or `refs/heads/main`. */
  ref: string;
  /** Commits the store already has (the local branches' tips): the remote sends only what is beyond them. */
  haves?: readonly ObjectId[];
  /**
   * Only this many commits of the branch (1: its tip alone), when the remote can cut history (its
   * `shallow` capability); else the whole history.
   */
  depth?: number;
  /** The most the pack may hold, in bytes: beyond it, `RemoteTooLargeError` before the rest is read. */
  maxPackBytes?: number;
  /** The most its objects may unpack to, in bytes: beyond it, `RemoteTooLargeError` (a pack bomb). */
  maxUnpackedBytes?: number;
}

export interface FetchRefResult {
  /** The full ref name. */
  ref: string;
  /** The remote's tip of the branch, now in the store; null when the remote has no such branch. */
  tip: ObjectId | null;
  /** Objects the pack brought (0 when the store had the tip already). */
  objectsReceived: number;
  packBytes: number;
  /** The remote's progress messages. */
  progress: string[];
}

/** `main` → `refs/heads/main`; a full ref name stays as it is. */
export function fullRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
}

/** Fetches `ref`'s history from the remote into `store`. */
export async function fetchRef(options: FetchRefOptions): Promise<FetchRefResult> {
  const ref = fullRef(options.ref);
  const advertised = await discoverRefs(options, 'git-upload-pack');
  const tip = advertised.refs.get(ref) ?? null;
  const none = { ref, tip, objectsReceived: 0, packBytes: 0, progress: [] };
  if (!tip || (await options.store.has(tip))) return none;

  const shallow = options.depth !== undefined && advertised.capabilities.has('shallow');
  const offered = ['side-band-64k', 'ofs-delta', 'thin-pack', ...(shallow ? ['shallow'] : [])].filter((c) =>
    advertised.capabilities.has(c),
  );
  const lines = [pktLine(`want ${tip} ${[...offered, `agent=${AGENT}`].join(' ')}\n`)];
  if (shallow) lines.push(pktLine(`deepen ${options.depth}\n`));
  lines.push(FLUSH);
  for (const have of await recentCommits(options.store, options.haves ?? []))
    lines.push(pktLine(`have ${have}\n`));
  lines.push(pktLine('done\n'));
  const answer = await remoteRequest(options, 'git-upload-pack', {
    method: 'POST',
    contentType: 'application/x-git-upload-pack-request',
    accept: 'application/x-git-upload-pack-result',
    body: concat(lines),
    ...(options.maxPackBytes !== undefined ? { maxBytes: options.maxPackBytes } : {}),
  });

  const { pack, progress, cut } = packOf(answer, offered.includes('side-band-64k'));
  const objects = await readPack(pack, options.store, {
    keep: true,
    ...(options.maxUnpackedBytes !== undefined ? { maxBytes: options.maxUnpackedBytes } : {}),
  });
  await checkConnected(options.store, objects, cut);
  if (!(await options.store.has(tip)))
    throw new RemoteError('protocol', 'The remote did not send the branch’s tip.');
  return { ref, tip, objectsReceived: objects.length, packBytes: pack.length, progress };
}

/**
 * The pack in upload-pack's answer: after its shallow lines (the commits whose parents a shallow fetch
 * leaves out: `cut`) and its ACK/NAK lines, in side-band frames or raw.
 */
function packOf(
  answer: Uint8Array,
  sideBand: boolean,
): { pack: Uint8Array; progress: string[]; cut: Set<ObjectId> } {
  const { packets, end } = readPackets(answer);
  const cut = new Set<ObjectId>();
  let first = 0;
  for (; first < packets.length; first++) {
    const packet = packets[first]!;
    if (packet.kind !== 'data') continue;
    const text = fromUtf8(packet.payload.subarray(0, 4));
    if (text === 'ERR ')
      throw new RemoteError('protocol', `The remote says: ${fromUtf8(packet.payload.subarray(4)).trim()}`);
    const shallow = /^shallow ([0-9a-f]{40})\n?$/.exec(fromUtf8(packet.payload.subarray(0, 49)));
    if (shallow) cut.add(shallow[1]!);
    else if (text !== 'ACK ' && text !== 'NAK\n' && text !== 'NAK') break;
  }
  if (!sideBand) return { pack: answer.subarray(end), progress: [], cut };
  const { data, progress } = demuxSideBand(packets.slice(first));
  return { pack: data, progress, cut };
}

/** The local commits offered as haves: the tips, then their ancestors, newest first, bounded. */
async function recentCommits(store: ObjectStore, tips: readonly ObjectId[]): Promise<ObjectId[]> {
  const out: ObjectId[] = [];
  const seen = new Set<ObjectId>();
  const queue = [...tips];
  while (queue.length > 0 && out.length < MAX_HAVES) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const object = await store.get(id);
    if (object?.type !== 'commit') continue;
    out.push(id);
    queue.push(...parseCommit(object.body).parents);
  }
  return out;
}

/**
 * Every object a received commit or tree names must now be in the store, but for the parents of the
 * commits a shallow fetch `cut` and submodules' commits (which live in other repositories).
 */
async function checkConnected(
  store: ObjectStore,
  objects: readonly { type: string; id: ObjectId; body: Uint8Array }[],
  cut: ReadonlySet<ObjectId>,
) {
  for (const object of objects) {
    const named =
      object.type === 'commit'
        ? (() => {
            const commit = parseCommit(object.body);
            return cut.has(object.id) ? [commit.tree] : [commit.tree, ...commit.parents];
          })()
        : object.type === 'tree'
          ? parseTree(object.body)
              .filter((entry) => entry.mode !== '160000')
              .map((entry) => entry.id)
          : [];
    for (const id of named) {
      if (!(await store.has(id))) throw new RemoteError('protocol', `The remote’s pack lacks object ${id}.`);
    }
  }
}
