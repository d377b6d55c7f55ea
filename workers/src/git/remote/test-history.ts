/**
 * Histories written straight into an {@link ObjectStore}, for tests and benchmarks: a tree from a map of
 * paths to texts, and a commit of it. (The project's own commits are written by its Durable Object.)
 */
import { utf8 } from '../../crypto/bytes.ts';
import { encodeCommit, encodeTree, type ObjectId, type TreeEntry } from '../object.ts';
import type { ObjectStore } from '../store.ts';

/** A project's files: path (`src/app.js`) to text. */
export type Files = Record<string, string>;

/** Writes the tree of `files` and every tree and blob under it; returns the root tree's id. */
export async function writeTree(store: ObjectStore, files: Files): Promise<ObjectId> {
  const dirs = new Map<string, Files>();
  const entries: TreeEntry[] = [];
  for (const [path, text] of Object.entries(files)) {
    const slash = path.indexOf('/');
    if (slash >= 0) {
      const dir = path.slice(0, slash);
      const inner = dirs.get(dir) ?? {};
      inner[path.slice(slash + 1)] = text;
      dirs.set(dir, inner);
    } else
      entries.push({ mode: '100644', name: path, id: await store.put({ type: 'blob', body: utf8(text) }) });
  }
  for (const [name, inner] of dirs) entries.push({ mode: '40000', name, id: await writeTree(store, inner) });
  return store.put({ type: 'tree', body: encodeTree(entries) });
}

/** Commits `files` on `parents` with `title` as its message; returns the commit's id. */
export async function writeCommit(
  store: ObjectStore,
  files: Files,
  parents: ObjectId[],
  title: string,
  time = 1_700_000_000,
): Promise<ObjectId> {
  const who = { name: 'Samokoder', email: 'agent@samokoder.local', time, offsetMinutes: 0 };
  const tree = await writeTree(store, files);
  return store.put({
    type: 'commit',
    body: encodeCommit({ tree, parents, author: who, committer: who, message: title }),
  });
}
