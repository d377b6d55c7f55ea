/**
 * Which objects a receiver needs: everything reachable from the commits it wants that is not reachable
 * from the commits it has. The same walk serves a clone or fetch from the platform and a push to a
 * remote.
 *
 * Why trees are compared rather than listed: a new commit's tree is diffed against its parents' trees,
 * descending only where an entry's id differs, so a push or fetch of one step costs the size of that
 * step's change, not of the project. An object the receiver happens to have by another path may be sent
 * again; that only makes the pack a little larger.
 */
import { parseCommit, parseTree, type ObjectId, type TreeEntry } from './object.ts';
import type { ObjectStore } from './store.ts';

async function must(store: ObjectStore, id: ObjectId, type: 'commit' | 'tree') {
  const object = await store.get(id);
  if (!object || object.type !== type) throw new Error(`missing ${type} ${id}`);
  return object.body;
}

/** The ids of the objects to send, commits first (newest first), then trees and blobs. */
export async function objectsToSend(
  store: ObjectStore,
  wants: readonly ObjectId[],
  haves: ReadonlySet<ObjectId>,
): Promise<ObjectId[]> {
  const commits: { id: ObjectId; tree: ObjectId; parents: ObjectId[] }[] = [];
  const seen = new Set<ObjectId>();
  const queue = wants.filter((id) => !haves.has(id));
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id) || haves.has(id)) continue;
    seen.add(id);
    const commit = parseCommit(await must(store, id, 'commit'));
    commits.push({ id, tree: commit.tree, parents: commit.parents });
    for (const parent of commit.parents) if (!seen.has(parent) && !haves.has(parent)) queue.push(parent);
  }

  const out = new Set<ObjectId>(commits.map((c) => c.id));
  const treeOf = new Map<ObjectId, ObjectId>(commits.map((c) => [c.id, c.tree]));
  for (const commit of commits) {
    // A parent the receiver has, or one sent in this pack: its tree's objects need not be sent again.
    let base: ObjectId | null = null;
    for (const parent of commit.parents) {
      base =
        treeOf.get(parent) ??
        ((await store.has(parent)) ? parseCommit(await must(store, parent, 'commit')).tree : null);
      if (base) break;
    }
    await addTree(store, commit.tree, base, out);
  }
  return [...out];
}

/** Adds `tree` and what in it differs from `base` (null: all of it). */
async function addTree(store: ObjectStore, tree: ObjectId, base: ObjectId | null, out: Set<ObjectId>) {
  if (tree === base || out.has(tree)) return;
  out.add(tree);
  const entries = parseTree(await must(store, tree, 'tree'));
  const before = new Map<string, TreeEntry>();
  if (base) for (const entry of parseTree(await must(store, base, 'tree'))) before.set(entry.name, entry);
  for (const entry of entries) {
    const old = before.get(entry.name);
    if (old && old.id === entry.id) continue;
    if (entry.mode === '40000') await addTree(store, entry.id, old?.mode === '40000' ? old.id : null, out);
    // A submodule's commit lives in another repository: it is never sent.
    else if (entry.mode !== '160000') out.add(entry.id);
  }
}
