/**
 * The project's git history and its remote repository: push of the current branch's head, pull of the
 * remote branch as one user's step, and the push after each completed task.
 *
 * Why a pull is always a merge commit, also when the remote is simply ahead (a fast-forward): every
 * commit of the history is one step of the step log, and the pull is a step (the user's, "Pull from
 * <remote>") whose files the agents then read. Its commit has the project's head as first parent and the
 * remote's tip as second, so the remote's commits are ancestors of the project's head and the next push
 * is a fast-forward; the step log and the log stay one to one.
 *
 * A conflict is never resolved here: the pull answers the paths with both sides' text and changes nothing.
 * The token is the caller's, for one call: it is never stored in the object nor logged.
 */
import { toBase64 } from '../crypto/bytes.ts';
import { normalizePath } from '../core/paths.ts';
import type { FileWrite } from '../core/journal.ts';
import { refusal, type Refusal } from '../core/refusal.ts';
import type { GitHistory } from '../git/history.ts';
import { parseCommit, parseTree, type ObjectId } from '../git/object.ts';
import { RemoteError, type RemoteErrorKind } from '../git/remote/errors.ts';
import { fetchRef } from '../git/remote/fetch-ref.ts';
import { displayUrl } from '../git/remote/http.ts';
import { mergeHistories, type Conflict, type FileChange } from '../git/remote/merge.ts';
import { push } from '../git/remote/push.ts';
import type { ObjectStore } from '../git/store.ts';
import type { OutsideCalls } from './outside-calls.ts';
import type { LiveSink } from './sink.ts';
import type { GitStore } from './storage/git-store.ts';
import type { SqlJournal } from './storage/journal.ts';
import type { FileStore } from './storage/files.ts';

/** A remote branch and what opens it, for one push or pull. */
export interface RemoteTarget {
  url: string;
  token: string;
  branch: string;
}

/** The remote could not be used (the token refused, no repository, down): the API maps `kind`. */
export interface RemoteFailure {
  ok: false;
  code: 'remote';
  kind: RemoteErrorKind;
  message: string;
}

/** What a push or pull answers: its result, a refusal of the project, or the remote's failure. */
export type RemoteOutcome<T> = { ok: true; value: T } | Refusal | RemoteFailure;

/** What became of a push, as the user is told. */
export type PushReport =
  | { result: 'pushed'; branch: string; commit: ObjectId; previous: ObjectId | null; objects: number }
  | { result: 'up_to_date'; branch: string; commit: ObjectId }
  | {
      result: 'rejected';
      branch: string;
      reason: 'remote_moved' | 'refused';
      remoteCommit: ObjectId | null;
      message: string;
    };

/** One side of a conflicting file, as shown. */
export interface ConflictSideView {
  text: string | null;
  binary: boolean;
  deleted: boolean;
  /** The text is only the file's beginning (a very long file). */
  truncated: boolean;
}

/** What became of a pull, as the user is told. */
export type PullReport =
  | { result: 'up_to_date'; branch: string; remoteCommit: ObjectId | null }
  | {
      result: 'pulled';
      branch: string;
      how: 'fast_forward' | 'merged';
      remoteCommit: ObjectId;
      stepId: number;
      files: number;
    }
  | {
      result: 'conflict';
      branch: string;
      remoteCommit: ObjectId;
      conflicts: { path: string; ours: ConflictSideView; theirs: ConflictSideView }[];
      message: string;
    };

/** Conflicting files listed at most (the message counts them all), and characters shown of each side. */
const MAX_CONFLICTS = 50;
const MAX_SIDE_CHARS = 100_000;

/** Mode of a submodule's entry (a commit of another repository): not a file of the project. */
const GITLINK = '160000';
/** A symbolic link's tree mode. */
const SYMLINK = '120000';

export class RemoteSync {
  private readonly deps: {
    git: GitHistory;
    store: GitStore;
    journal: SqlJournal;
    files: FileStore;
    sink: LiveSink;
    outside: OutsideCalls;
  };

  constructor(deps: RemoteSync['deps']) {
    this.deps = deps;
  }

  /** Pushes the current branch's head to the remote branch (a fast-forward only, never forced). */
  async push(target: RemoteTarget): Promise<RemoteOutcome<PushReport>> {
    const { git, store, journal, outside } = this.deps;
    await git.complete();
    const head = store.head(journal.run().branch);
    if (!head?.commitId) return refusal('conflict', 'Nothing to push yet: the project has no steps.');
    const localTip = head.commitId;
    return remoteCall(async () => {
      const result = await outside.run(() =>
        push({ ...access(target), store, ref: target.branch, localTip }),
      );
      const branch = target.branch;
      switch (result.status) {
        case 'pushed':
          return {
            result: 'pushed',
            branch,
            commit: result.to,
            previous: result.from,
            objects: result.objectsSent,
          };
        case 'up_to_date':
          return { result: 'up_to_date', branch, commit: localTip };
        case 'rejected':
          return {
            result: 'rejected',
            branch,
            reason: result.reason,
            remoteCommit: result.remoteTip,
            message: result.message,
          };
      }
    });
  }

  /**
   * Pulls the remote branch: its commits are fetched into the history, merged with the project's head,
   * and the changes applied as one user's step. Refused while a step is under way (not queued: the
   * user pulls again once the run has stopped or finished).
   */
  async pull(target: RemoteTarget): Promise<RemoteOutcome<PullReport>> {
    const busy = this.busy();
    if (busy) return busy;
    const { git, store, journal, outside } = this.deps;
    await git.complete();
    const branch = target.branch;
    const haves = store.heads().map((h) => h.commitId!);
    const fetched = await remoteCall(() =>
      outside.run(() => fetchRef({ ...access(target), store, ref: branch, haves })),
    );
    if (!fetched.ok) return fetched;
    const theirs = fetched.value.tip;
    if (!theirs) return refusal('conflict', `The remote has no branch ${branch} yet: push to create it.`);
    const ours = store.head(journal.run().branch)?.commitId ?? null;

    let how: 'fast_forward' | 'merged';
    let changes: FileChange[];
    if (ours === null) {
      how = 'fast_forward';
      changes = await filesOf(store, await treeOfCommit(store, theirs));
    } else {
      const merged = await mergeHistories({ store, ours, theirs });
      if (merged.kind === 'up_to_date') {
        return { ok: true, value: { result: 'up_to_date', branch, remoteCommit: theirs } };
      }
      if (merged.kind === 'conflict') {
        return {
          ok: true,
          value: {
            result: 'conflict',
            branch,
            remoteCommit: theirs,
            conflicts: merged.conflicts.slice(0, MAX_CONFLICTS).map(conflictView),
            message: `${merged.conflicts.length} file(s) changed both here and on the remote. Nothing was changed: resolve them on one side, then pull again.`,
          },
        };
      }
      how = merged.kind;
      changes = merged.changes;
    }
    return this.apply(target, theirs, how, changes);
  }

  /** The refusal of a pull while the run is busy, or null. */
  private busy(): Refusal | null {
    const { journal } = this.deps;
    if (journal.run().status === 'running' || journal.activeStep()) {
      return refusal(
        'conflict',
        'The run has a step under way: pull once it has stopped or finished (pause it, or wait).',
      );
    }
    return null;
  }

  /** Writes the pulled changes as one user's step whose commit merges the remote's tip. */
  private async apply(
    target: RemoteTarget,
    theirs: ObjectId,
    how: 'fast_forward' | 'merged',
    changes: FileChange[],
  ): Promise<RemoteOutcome<PullReport>> {
    const { store, journal, files, sink } = this.deps;
    const writes: FileWrite[] = [];
    for (const change of changes) {
      if (change.after && (change.after.mode as string) === GITLINK) continue;
      const path = normalizePath(change.path);
      if (!path)
        return refusal('bad_request', `The remote has a path the project cannot hold: ${change.path}`);
      if (!change.after) {
        writes.push({ path, content: null });
        continue;
      }
      // A project holds files only: a link written as a file would go back as one with the next push.
      if ((change.after.mode as string) === SYMLINK) {
        return refusal(
          'conflict',
          `The remote's ${path} is a symbolic link, which a project cannot hold: replace it with the file it points to (or remove it) on the remote, then pull again.`,
        );
      }
      const blob = await store.get(change.after.id);
      if (blob?.type !== 'blob') return refusal('conflict', `The remote's file ${path} did not arrive.`);
      const text = asText(blob.body);
      // The executable bit comes with the file (and goes when the remote drops it).
      const executable = change.after.mode === '100755';
      writes.push(
        text === null
          ? { path, content: toBase64(blob.body), binary: true, executable }
          : { path, content: text, executable },
      );
    }
    let staged;
    try {
      staged = await files.stage(writes);
    } catch (err) {
      return refusal('bad_request', err instanceof Error ? err.message : 'The pulled files cannot be saved.');
    }
    const title = `Pull from ${displayUrl(target.url)} (${target.branch})`;
    return journal.atomic((): RemoteOutcome<PullReport> => {
      const busy = this.busy();
      if (busy) return busy;
      const branch = journal.run().branch;
      const step = journal.openUserStep(branch, journal.headStepId(), title);
      sink.emit({
        type: 'step.started',
        stepId: step.id,
        agent: step.ref.agent,
        branch,
        title,
        task: null,
        attempt: 1,
      });
      const applied = journal.applyWrites(staged, step.id, 'user');
      if (applied.length > 0) {
        sink.emit({ type: 'files.changed', stepId: step.id, branch, author: 'user', changes: applied });
      }
      store.setMergeParent(step.id, theirs);
      journal.closeUserStep(step.id);
      sink.emit({ type: 'step.completed', stepId: step.id, agent: step.ref.agent, durationMs: 0 });
      sink.emit({
        type: 'message',
        messageId: `pull_${step.id}`,
        role: 'system',
        agent: null,
        stepId: step.id,
        text: `Pulled ${target.branch} from ${displayUrl(target.url)}: ${applied.length} file(s) changed.`,
      });
      return {
        ok: true,
        value: {
          result: 'pulled',
          branch: target.branch,
          how,
          remoteCommit: theirs,
          stepId: step.id,
          files: applied.length,
        },
      };
    });
  }
}

/** The remote's part of a target: its URL and token. */
function access(target: RemoteTarget): { url: string; token: string } {
  return { url: target.url, token: target.token };
}

/** Runs a conversation with the remote; its {@link RemoteError} becomes a {@link RemoteFailure}. */
async function remoteCall<T>(call: () => Promise<T>): Promise<RemoteOutcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    if (err instanceof RemoteError)
      return { ok: false, code: 'remote', kind: err.kind, message: err.message };
    throw err;
  }
}

/** A file's bytes as text, or null when they are binary (a NUL byte, or not UTF-8). */
function asText(body: Uint8Array): string | null {
  if (body.subarray(0, 8000).includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return null;
  }
}

function conflictView(conflict: Conflict): {
  path: string;
  ours: ConflictSideView;
  theirs: ConflictSideView;
} {
  const side = (s: Conflict['ours']): ConflictSideView => ({
    text: s.text === null ? null : s.text.slice(0, MAX_SIDE_CHARS),
    binary: s.binary,
    deleted: s.text === null && !s.binary,
    truncated: s.text !== null && s.text.length > MAX_SIDE_CHARS,
  });
  return { path: conflict.path, ours: side(conflict.ours), theirs: side(conflict.theirs) };
}

async function treeOfCommit(store: ObjectStore, commit: ObjectId): Promise<ObjectId> {
  const object = await store.get(commit);
  if (object?.type !== 'commit') throw new Error(`missing commit ${commit}`);
  return parseCommit(object.body).tree;
}

/** Every file of a tree, as changes from nothing (a pull into a project with no history yet). */
async function filesOf(store: ObjectStore, tree: ObjectId, prefix = ''): Promise<FileChange[]> {
  const object = await store.get(tree);
  if (object?.type !== 'tree') throw new Error(`missing tree ${tree}`);
  const out: FileChange[] = [];
  for (const entry of parseTree(object.body)) {
    if (entry.mode === '40000') out.push(...(await filesOf(store, entry.id, `${prefix}${entry.name}/`)));
    else out.push({ path: `${prefix}${entry.name}`, after: { mode: entry.mode, id: entry.id } });
  }
  return out;
}
