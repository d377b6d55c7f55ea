/** Questions about a history's shape: is one commit an ancestor of another, where do two histories meet. */
import { parseCommit, type ObjectId } from '../object.ts';
import type { ObjectStore } from '../store.ts';

/** Every commit reachable from `tip` through parents in the store (the tip included). */
export async function ancestors(store: ObjectStore, tip: ObjectId): Promise<Set<ObjectId>> {
  const seen = new Set<ObjectId>();
  const queue = [tip];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    const object = await store.get(id);
    if (object?.type !== 'commit') continue;
    seen.add(id);
    queue.push(...parseCommit(object.body).parents);
  }
  return seen;
}

/** Whether `ancestor` is `tip` or reachable from it. */
export async function isAncestor(store: ObjectStore, ancestor: ObjectId, tip: ObjectId): Promise<boolean> {
  if (!(await store.has(ancestor))) return false;
  return (await ancestors(store, tip)).has(ancestor);
}

/**
 * The nearest commit both histories reach (breadth first from `theirs`), or null for unrelated
 * histories. With criss-cross merges git may pick another of several bases; either is a common ancestor.
 */
export async function mergeBase(
  store: ObjectStore,
  ours: ObjectId,
  theirs: ObjectId,
): Promise<ObjectId | null> {
  const mine = await ancestors(store, ours);
  const seen = new Set<ObjectId>();
  const queue = [theirs];
  for (let at = 0; at < queue.length; at++) {
    const id = queue[at]!;
    if (mine.has(id)) return id;
    if (seen.has(id)) continue;
    seen.add(id);
    const object = await store.get(id);
    if (object?.type === 'commit') queue.push(...parseCommit(object.body).parents);
  }
  return null;
}
