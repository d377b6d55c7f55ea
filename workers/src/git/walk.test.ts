import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { utf8 } from '../crypto/bytes.ts';
import { encodeCommit, encodeTree, type ObjectId, type TreeEntry } from './object.ts';
import { writePack } from './pack-writer.ts';
import { MemoryStore } from './store.ts';
import { objectsToSend } from './walk.ts';

const repo = mkdtempSync(join(tmpdir(), 'git-walk-'));
execFileSync('git', ['init', '-q', '--bare', '--initial-branch=main', repo]);
afterAll(() => rmSync(repo, { recursive: true, force: true }));
const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });

/** Writes the tree of `files` (path to text) into the store. */
async function tree(store: MemoryStore, files: Record<string, string>): Promise<ObjectId> {
  const dirs = new Map<string, Record<string, string>>();
  const entries: TreeEntry[] = [];
  for (const [path, text] of Object.entries(files)) {
    const [head, ...rest] = path.split('/');
    if (rest.length > 0) dirs.set(head!, { ...dirs.get(head!), [rest.join('/')]: text });
    else
      entries.push({ mode: '100644', name: head!, id: await store.put({ type: 'blob', body: utf8(text) }) });
  }
  for (const [name, inner] of dirs) entries.push({ mode: '40000', name, id: await tree(store, inner) });
  return store.put({ type: 'tree', body: encodeTree(entries) });
}

async function commit(store: MemoryStore, files: Record<string, string>, parents: ObjectId[], title: string) {
  const who = { name: 'Samokoder', email: 'agent@samokoder.local', time: 1_700_000_000, offsetMinutes: 0 };
  const body = encodeCommit({
    tree: await tree(store, files),
    parents,
    author: who,
    committer: who,
    message: title,
  });
  return store.put({ type: 'commit', body });
}

/** Indexes a pack of `ids` into the bare repository, as a receiving git would. */
async function receive(store: MemoryStore, ids: ObjectId[]) {
  const pack = await writePack(ids.map((id) => store.objects.get(id)!));
  execFileSync('git', ['-C', repo, 'index-pack', '--stdin'], { input: pack });
}

describe('the objects a receiver needs', () => {
  it('are all of a first commit, and only what the next commit changed after it', async () => {
    const store = new MemoryStore();
    const files = {
      'README.md': '# App\n',
      'src/a.js': 'a\n',
      'src/lib/b.js': 'b\n',
      'test/a.test.js': 't\n',
    };
    const first = await commit(store, files, [], 'First');
    const second = await commit(store, { ...files, 'src/lib/b.js': 'b2\n' }, [first], 'Second');

    const all = await objectsToSend(store, [first], new Set());
    expect(all).toHaveLength(1 + 4 + 4); // the commit, four trees, four blobs
    await receive(store, all);
    git('update-ref', 'refs/heads/main', first);

    const next = await objectsToSend(store, [second], new Set([first]));
    // The commit, the root, src, src/lib and the new b.js: nothing of README.md or test/.
    expect(next).toHaveLength(5);
    await receive(store, next);
    git('update-ref', 'refs/heads/main', second);
    // The same set git itself computes for "what is in second and not in first".
    const expected = git('rev-list', '--objects', second, `^${first}`)
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ')[0]);
    expect(new Set(next)).toEqual(new Set(expected));
    expect(git('fsck', '--strict', '--no-dangling')).toBe('');
    expect(git('show', 'main:src/lib/b.js')).toBe('b2\n');
    expect(git('log', '--format=%s', 'main')).toBe('Second\nFirst\n');
  });
});
