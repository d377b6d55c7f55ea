/**
 * Push of one branch to a remote (receive-pack over smart HTTP): the ref update `old new ref` with
 * `report-status`, a pack of only what the remote lacks, and the remote's status report read back.
 *
 * Only fast-forwards are pushed: when the remote's tip is not an ancestor of the local one (someone
 * pushed elsewhere), nothing is sent and the result says the remote moved, so the user can pull first.
 * Nothing is ever force-pushed.
 */
import { concat, type ObjectId } from '../object.ts';
import { writePack } from '../pack-writer.ts';
import { FLUSH, packetText, pktLine } from '../pkt-line.ts';
import type { ObjectStore } from '../store.ts';
import { objectsToSend } from '../walk.ts';
import { isAncestor } from './ancestry.ts';
import { ZERO_ID, discoverRefs } from './discovery.ts';
import { RemoteError } from './errors.ts';
import { fullRef } from './fetch-ref.ts';
import { AGENT, remoteRequest, type RemoteAccess } from './http.ts';
import { demuxSideBand, packetsOf } from './side-band.ts';

export interface PushOptions extends RemoteAccess {
  store: ObjectStore;
  /** The branch to update on the remote: `main` or `refs/heads/main`. */
  ref: string;
  /** The local commit the branch should point at. */
  localTip: ObjectId;
}

/** What became of a push. A rejection is a result, not an error: the UI offers to pull. */
export type PushResult =
  | {
      status: 'pushed';
      ref: string;
      from: ObjectId | null;
      to: ObjectId;
      objectsSent: number;
      packBytes: number;
    }
  | { status: 'up_to_date'; ref: string; to: ObjectId }
  | {
      status: 'rejected';
      ref: string;
      /** `remote_moved`: the remote has commits the local history lacks; `refused`: a rule of the remote. */
      reason: 'remote_moved' | 'refused';
      /** The remote's tip as last seen. */
      remoteTip: ObjectId | null;
      message: string;
    };

/** Pushes `localTip` to `ref` on the remote when that is a fast-forward. */
export async function push(options: PushOptions): Promise<PushResult> {
  const ref = fullRef(options.ref);
  const advertised = await discoverRefs(options, 'git-receive-pack');
  const remoteTip = advertised.refs.get(ref) ?? null;
  if (remoteTip === options.localTip) return { status: 'up_to_date', ref, to: remoteTip };
  if (remoteTip && !(await isAncestor(options.store, remoteTip, options.localTip))) {
    return {
      status: 'rejected',
      ref,
      reason: 'remote_moved',
      remoteTip,
      message: 'The remote has commits this project does not have. Pull them first, then push again.',
    };
  }

  const ids = await objectsToSend(options.store, [options.localTip], new Set(remoteTip ? [remoteTip] : []));
  const objects = [];
  for (const id of ids) objects.push((await options.store.get(id))!);
  const pack = await writePack(objects);
  const capabilities = ['report-status', 'side-band-64k', 'quiet'].filter((c) =>
    advertised.capabilities.has(c),
  );
  if (!capabilities.includes('report-status')) {
    throw new RemoteError('protocol', 'The remote does not report the outcome of a push.');
  }
  const command = `${remoteTip ?? ZERO_ID} ${options.localTip} ${ref}\0${[...capabilities, `agent=${AGENT}`].join(' ')}`;
  const answer = await remoteRequest(options, 'git-receive-pack', {
    method: 'POST',
    contentType: 'application/x-git-receive-pack-request',
    accept: 'application/x-git-receive-pack-result',
    body: concat([pktLine(command), FLUSH, pack]),
  });

  const report = capabilities.includes('side-band-64k') ? demuxSideBand(packetsOf(answer)).data : answer;
  const lines = packetsOf(report)
    .map(packetText)
    .filter((line): line is string => line !== null);
  const unpack = lines.find((line) => line.startsWith('unpack '));
  if (unpack !== 'unpack ok') {
    throw new RemoteError(
      'protocol',
      `The remote could not unpack the push: ${unpack?.slice(7) ?? 'no report'}.`,
    );
  }
  const outcome = lines.find((line) => line.startsWith(`ok ${ref}`) || line.startsWith(`ng ${ref} `));
  if (outcome === `ok ${ref}`) {
    return {
      status: 'pushed',
      ref,
      from: remoteTip,
      to: options.localTip,
      objectsSent: ids.length,
      packBytes: pack.length,
    };
  }
  const reason = outcome?.slice(`ng ${ref} `.length) ?? 'no status for the branch';
  // The remote moved between the advertisement and the push (a race with another pusher).
  const moved = /non-fast-forward|fetch first|failed to update ref|stale info|cannot lock/i.test(reason);
  return {
    status: 'rejected',
    ref,
    reason: moved ? 'remote_moved' : 'refused',
    remoteTip,
    message: moved
      ? 'The remote moved while pushing. Pull its commits first, then push again.'
      : `The remote refused the push: ${reason}.`,
  };
}
