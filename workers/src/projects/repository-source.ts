/**
 * A remote repository's branch as the entries of an import (`import-source.ts`): the branch's tip is
 * fetched shallow (the tip commit alone, when the remote can cut history) into memory, then its tree is
 * walked into {@link SourceEntry}s: blobs as files, mode 120000 as symlinks, submodules (160000) as
 * entries the import skips and counts. Everything else (limits, skipped folders, binary files, paths) is
 * the import's, as for a zip.
 */
import { parseCommit, parseTree, type ObjectId } from '../git/object.ts';
import { discoverRefs } from '../git/remote/discovery.ts';
import { RemoteError } from '../git/remote/errors.ts';
import { fetchRef, fullRef } from '../git/remote/fetch-ref.ts';
import type { RemoteAccess } from '../git/remote/http.ts';
import { MemoryStore, type ObjectStore } from '../git/store.ts';
import type { SourceEntry } from './import-tree.ts';

/** What the import read: the branch it took, its tip commit, and its tree's entries. */
export interface RepositorySource {
  branch: string;
  commit: ObjectId;
  entries: SourceEntry[];
}

/**
 * Fetches `branch` (default: the branch the remote's HEAD points at) and lists its tree. Throws
 * `RemoteError` (the token refused, no repository, no such branch, the remote unreachable) and
 * `RemoteTooLargeError` when the pack exceeds `maxPackBytes` or its objects `maxUnpackedBytes`.
 */
export async function readRepository(
  access: RemoteAccess,
  opts: { branch?: string; maxPackBytes: number; maxUnpackedBytes: number },
): Promise<RepositorySource> {
  const advertised = await discoverRefs(access, 'git-upload-pack');
  const ref = opts.branch ? fullRef(opts.branch) : (advertised.head ?? defaultBranch(advertised.refs));
  if (!ref || !advertised.refs.has(ref)) {
    throw new RemoteError(
      'not_found',
      opts.branch
        ? `The repository has no branch "${opts.branch}".`
        : 'The repository is empty: it has no branches.',
    );
  }
  const store = new MemoryStore();
  const fetched = await fetchRef({
    ...access,
    store,
    ref,
    depth: 1,
    maxPackBytes: opts.maxPackBytes,
    maxUnpackedBytes: opts.maxUnpackedBytes,
  });
  if (!fetched.tip) throw new RemoteError('not_found', `The branch ${shortRef(ref)} went away meanwhile.`);
  const commit = await store.get(fetched.tip);
  if (commit?.type !== 'commit') throw new RemoteError('protocol', 'The branch’s tip is not a commit.');
  const entries: SourceEntry[] = [];
  await walkTree(store, parseCommit(commit.body).tree, '', entries);
  return { branch: shortRef(ref), commit: fetched.tip, entries };
}

/** `refs/heads/main` → `main`. */
function shortRef(ref: string): string {
  return ref.replace(/^refs\/heads\//, '');
}

/** An old server may not say where HEAD points: main, else master, else the first branch. */
function defaultBranch(refs: ReadonlyMap<string, ObjectId>): string | null {
  for (const name of ['refs/heads/main', 'refs/heads/master']) if (refs.has(name)) return name;
  return [...refs.keys()].find((name) => name.startsWith('refs/heads/')) ?? null;
}

/** Adds the entries under `tree` (at `prefix`) to `out`, depth first. */
async function walkTree(store: ObjectStore, tree: ObjectId, prefix: string, out: SourceEntry[]) {
  const object = await store.get(tree);
  if (object?.type !== 'tree') throw new RemoteError('protocol', `The remote’s pack lacks tree ${tree}.`);
  for (const entry of parseTree(object.body)) {
    const name = `${prefix}${entry.name}`;
    if (entry.mode === '40000') {
      await walkTree(store, entry.id, `${name}/`, out);
      continue;
    }
    if (entry.mode === '160000') {
      out.push({ name, kind: 'submodule', size: 0, read: () => Promise.resolve(new Uint8Array()) });
      continue;
    }
    const blob = await store.get(entry.id);
    if (blob?.type !== 'blob') throw new RemoteError('protocol', `The remote’s pack lacks ${name}.`);
    const data = blob.body;
    out.push({
      name,
      kind: entry.mode === '120000' ? 'symlink' : 'file',
      executable: entry.mode === '100755',
      size: data.byteLength,
      read: () => Promise.resolve(data),
    });
  }
}
