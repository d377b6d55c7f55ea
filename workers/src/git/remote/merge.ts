/**
 * Bringing a remote's commits into the project (a pull): a three-way merge of trees from the
 * {@link ObjectStore}. The result is the file changes to apply on top of the project's branch, or the
 * conflicting paths with both sides' text. A conflict is never resolved silently: a file changed on both
 * sides in different ways is a conflict even where a line-by-line merge might combine the two.
 */
import { fromUtf8 } from '../../crypto/bytes.ts';
import { parseCommit, parseTree, type EntryMode, type ObjectId, type TreeEntry } from '../object.ts';
import type { ObjectStore } from '../store.ts';
import { isAncestor, mergeBase } from './ancestry.ts';

/** A file as a tree holds it. */
export interface FileVersion {
  mode: EntryMode;
  id: ObjectId;
}

/** One file to change in the project: its new version, or null to delete it. */
export interface FileChange {
  path: string;
  after: FileVersion | null;
}

/** One side of a conflict: the file's text, null when that side deleted it (or never had it). */
export interface ConflictSide {
  text: string | null;
  /** A file with NUL bytes is not shown as text. */
  binary: boolean;
}

/** A path both sides changed, each its own way. */
export interface Conflict {
  path: string;
  base: ConflictSide;
  ours: ConflictSide;
  theirs: ConflictSide;
}

export type MergeOutcome =
  /** Their commits are already in ours: nothing to do. */
  | { kind: 'up_to_date' }
  /** Ours is an ancestor of theirs: the project's branch moves to their tip, with these changes. */
  | { kind: 'fast_forward'; changes: FileChange[] }
  /** Both moved, without conflicts: these changes on top of ours make the merge. */
  | { kind: 'merged'; base: ObjectId | null; changes: FileChange[] }
  /** Both moved and some paths conflict: nothing is applied until the user decides. */
  | { kind: 'conflict'; base: ObjectId | null; conflicts: Conflict[]; changes: FileChange[] };

export interface MergeInput {
  store: ObjectStore;
  /** The project's branch tip. */
  ours: ObjectId;
  /** The remote branch's tip (fetched into the store). */
  theirs: ObjectId;
}

/** Merges `theirs` into `ours`. */
export async function mergeHistories({ store, ours, theirs }: MergeInput): Promise<MergeOutcome> {
  if (await isAncestor(store, theirs, ours)) return { kind: 'up_to_date' };
  const ourTree = await treeOf(store, ours);
  const theirTree = await treeOf(store, theirs);
  if (await isAncestor(store, ours, theirs)) {
    const diff = await diffTrees(store, ourTree, theirTree);
    return { kind: 'fast_forward', changes: [...diff].map(([path, d]) => ({ path, after: d.after })) };
  }
  const base = await mergeBase(store, ours, theirs);
  const baseTree = base ? await treeOf(store, base) : null;
  const mine = await diffTrees(store, baseTree, ourTree);
  const yours = await diffTrees(store, baseTree, theirTree);
  const changes: FileChange[] = [];
  const conflicts: Conflict[] = [];
  for (const [path, change] of yours) {
    const own = mine.get(path);
    if (!own) changes.push({ path, after: change.after });
    else if (!sameVersion(own.after, change.after)) {
      conflicts.push({
        path,
        base: await sideOf(store, change.before),
        ours: await sideOf(store, own.after),
        theirs: await sideOf(store, change.after),
      });
    }
  }
  conflicts.sort((a, b) => (a.path < b.path ? -1 : 1));
  return conflicts.length > 0
    ? { kind: 'conflict', base, conflicts, changes }
    : { kind: 'merged', base, changes };
}

function sameVersion(a: FileVersion | null, b: FileVersion | null): boolean {
  return a === null || b === null ? a === b : a.id === b.id && a.mode === b.mode;
}

async function treeOf(store: ObjectStore, commit: ObjectId): Promise<ObjectId> {
  const object = await store.get(commit);
  if (object?.type !== 'commit') throw new Error(`missing commit ${commit}`);
  return parseCommit(object.body).tree;
}

async function entriesOf(store: ObjectStore, tree: ObjectId | null): Promise<Map<string, TreeEntry>> {
  if (!tree) return new Map();
  const object = await store.get(tree);
  if (object?.type !== 'tree') throw new Error(`missing tree ${tree}`);
  return new Map(parseTree(object.body).map((entry) => [entry.name, entry]));
}

/**
 * The files that differ between two trees (path to before and after), descending only into
 * subtrees whose ids differ: the cost is the size of the difference, not of the project.
 */
async function diffTrees(
  store: ObjectStore,
  a: ObjectId | null,
  b: ObjectId | null,
  prefix = '',
  out = new Map<string, { before: FileVersion | null; after: FileVersion | null }>(),
) {
  if (a === b) return out;
  const before = await entriesOf(store, a);
  const after = await entriesOf(store, b);
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const x = before.get(name);
    const y = after.get(name);
    if (x && y && x.id === y.id && x.mode === y.mode) continue;
    const xTree = x?.mode === '40000' ? x.id : null;
    const yTree = y?.mode === '40000' ? y.id : null;
    if (xTree || yTree) await diffTrees(store, xTree, yTree, `${prefix}${name}/`, out);
    const xFile = x && x.mode !== '40000' ? { mode: x.mode, id: x.id } : null;
    const yFile = y && y.mode !== '40000' ? { mode: y.mode, id: y.id } : null;
    if ((xFile || yFile) && !sameVersion(xFile, yFile))
      out.set(`${prefix}${name}`, { before: xFile, after: yFile });
  }
  return out;
}

async function sideOf(store: ObjectStore, version: FileVersion | null): Promise<ConflictSide> {
  if (!version) return { text: null, binary: false };
  const blob = await store.get(version.id);
  if (!blob) throw new Error(`missing blob ${version.id}`);
  const binary = blob.body.subarray(0, 8000).includes(0);
  return { text: binary ? null : fromUtf8(blob.body), binary };
}
