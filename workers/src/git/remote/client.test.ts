import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, withToken } from '../../../../infra/git-server/git-cli.ts';
import {
  startGitServer,
  type GitServer,
  type ServedRepository,
} from '../../../../infra/git-server/server.ts';
import { MemoryStore } from '../store.ts';
import { RemoteError, RemoteTooLargeError } from './errors.ts';
import { fetchRef } from './fetch-ref.ts';
import { push } from './push.ts';
import { writeCommit, type Files } from './test-history.ts';

let server: GitServer;
const work = mkdtempSync(join(tmpdir(), 'git-client-'));
beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A working clone of `repo` made by the git CLI. */
async function cliClone(repo: ServedRepository, name: string): Promise<string> {
  await git(work, ['clone', '-q', withToken(repo.url, repo.token), name]);
  return join(work, name);
}

/** Writes `files` in a CLI checkout and commits them. */
async function cliCommit(dir: string, files: Files, title: string) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', title]);
}

/** Every object the remote's branch reaches, with its type and content, as `git cat-file` has them. */
function remoteObjects(repo: ServedRepository, rev: string): Map<string, { type: string; body: Buffer }> {
  const ids = repo
    .git('rev-list', '--objects', rev)
    .trim()
    .split('\n')
    .map((line) => line.split(' ')[0]!);
  const batch = execFileSync('git', ['-C', repo.path, 'cat-file', '--batch'], {
    input: `${ids.join('\n')}\n`,
    maxBuffer: 64 << 20,
  });
  const out = new Map<string, { type: string; body: Buffer }>();
  let at = 0;
  while (at < batch.length) {
    const newline = batch.indexOf(10, at);
    const [id, type, size] = batch.subarray(at, newline).toString().split(' ') as [string, string, string];
    const body = batch.subarray(newline + 1, newline + 1 + Number(size));
    out.set(id, { type, body });
    at = newline + 1 + Number(size) + 1;
  }
  return out;
}

/** A text that changes a little between versions (and compresses badly): git stores its versions as deltas. */
function bigText(version: number): string {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0).toString(16);
  return Array.from({ length: 2000 }, (_, i) =>
    i % 500 === version ? `v${version}\n` : `${random()}${random()}\n`,
  ).join('');
}

// The git CLI is spawned many times: on a busy machine that takes far longer than the default 5 s.
describe('the smart-HTTP client against a real git server', { timeout: 60_000 }, () => {
  it('fetches a history the git CLI made, deltas and all, with every object as git has it', async () => {
    const repo = server.createRepository('fetched', 'tok-fetched-1');
    const dir = await cliClone(repo, 'fetched');
    for (let v = 0; v < 3; v++)
      await cliCommit(dir, { 'big.txt': bigText(v), [`src/v${v}.js`]: `${v}\n` }, `Version ${v}`);
    await git(dir, ['push', '-q', 'origin', 'main']);
    // No bitmap index: with one, git 2.39 sends a fetch's changed files whole instead of as deltas.
    repo.git('repack', '-adf', '--depth=50', '--no-write-bitmap-index');
    // The precondition: the remote's pack stores versions of big.txt as deltas.
    const idx = readdirSync(join(repo.path, 'objects/pack')).find((f) => f.endsWith('.idx'))!;
    expect(repo.git('verify-pack', '-v', join(repo.path, 'objects/pack', idx))).toMatch(/chain length = 1/);

    const store = new MemoryStore();
    const first = await fetchRef({ url: repo.url, token: repo.token, store, ref: 'main' });
    expect(first.tip).toBe(repo.git('rev-parse', 'main').trim());
    const expected = remoteObjects(repo, 'main');
    expect(new Set(store.objects.keys())).toEqual(new Set(expected.keys()));
    for (const [id, object] of expected) {
      expect(store.objects.get(id)!.type).toBe(object.type);
      expect(Buffer.from(store.objects.get(id)!.body).equals(object.body)).toBe(true);
    }

    // A next commit made elsewhere: only it comes, against what the store has (a thin pack).
    await cliCommit(dir, { 'big.txt': bigText(3) }, 'Version 3');
    await git(dir, ['push', '-q', 'origin', 'main']);
    const next = await fetchRef({
      url: repo.url,
      token: repo.token,
      store,
      ref: 'main',
      haves: [first.tip!],
    });
    expect(next.objectsReceived).toBe(3); // the commit, the root tree, big.txt
    expect(next.packBytes).toBeLessThan(bigText(3).length / 10); // a delta, not the whole file
    for (const id of remoteObjects(repo, 'main').keys()) expect(store.objects.has(id)).toBe(true);
  });

  it('fetches the tip alone when asked (depth 1), a submodule included, and refuses a pack over a limit', async () => {
    const repo = server.createRepository('shallow', 'tok-shallow-1');
    const dir = await cliClone(repo, 'shallow');
    await cliCommit(dir, { 'old.txt': 'old\n' }, 'First');
    await cliCommit(dir, { 'big.txt': bigText(0) }, 'Second');
    await git(dir, ['update-index', '--add', '--cacheinfo', `160000,${'b'.repeat(40)},vendor/lib`]);
    await git(dir, ['commit', '-q', '-m', 'A submodule']);
    await git(dir, ['push', '-q', 'origin', 'main']);

    const store = new MemoryStore();
    const fetched = await fetchRef({ url: repo.url, token: repo.token, store, ref: 'main', depth: 1 });
    expect(fetched.tip).toBe(repo.git('rev-parse', 'main').trim());
    const commits = [...store.objects.values()].filter((o) => o.type === 'commit');
    expect(commits).toHaveLength(1);
    // The tip's tree and blobs are all there; the submodule's commit is another repository's.
    expect(store.objects.has(repo.git('rev-parse', 'main:big.txt').trim())).toBe(true);
    expect(store.objects.has('b'.repeat(40))).toBe(false);

    const limited = fetchRef({
      url: repo.url,
      token: repo.token,
      store: new MemoryStore(),
      ref: 'main',
      depth: 1,
      maxPackBytes: 1000,
    });
    await expect(limited).rejects.toBeInstanceOf(RemoteTooLargeError);
    const unpacked = fetchRef({
      url: repo.url,
      token: repo.token,
      store: new MemoryStore(),
      ref: 'main',
      depth: 1,
      maxUnpackedBytes: 10_000,
    });
    await expect(unpacked).rejects.toBeInstanceOf(RemoteTooLargeError);
  });

  it('pushes a history from the store, then only what the next commit changed', async () => {
    const repo = server.createRepository('pushed', 'tok-pushed-1');
    const store = new MemoryStore();
    const files: Files = { 'README.md': '# App\n' };
    for (let i = 0; i < 40; i++) files[`src/part-${i % 4}/file-${i}.js`] = `export const n = ${i};\n`;
    const first = await writeCommit(store, files, [], 'Write the app');
    const pushed = await push({ url: repo.url, token: repo.token, store, ref: 'main', localTip: first });
    expect(pushed).toMatchObject({ status: 'pushed', from: null, to: first, objectsSent: 1 + 6 + 41 });
    expect(repo.git('fsck', '--strict', '--no-dangling')).toBe('');
    expect(repo.git('log', '--format=%s', 'main')).toBe('Write the app\n');

    const second = await writeCommit(
      store,
      { ...files, 'src/part-2/file-6.js': 'export const n = 66;\n' },
      [first],
      'Change one file',
    );
    const next = await push({ url: repo.url, token: repo.token, store, ref: 'main', localTip: second });
    // The commit, the root, src, src/part-2 and the one changed file: not the project.
    expect(next).toMatchObject({ status: 'pushed', from: first, to: second, objectsSent: 5 });
    expect(repo.git('show', 'main:src/part-2/file-6.js')).toBe('export const n = 66;\n');
    expect(repo.git('fsck', '--strict', '--no-dangling')).toBe('');
    expect(
      await push({ url: repo.url, token: repo.token, store, ref: 'main', localTip: second }),
    ).toMatchObject({
      status: 'up_to_date',
    });
  });

  it('says the remote moved when someone pushed elsewhere, and leaves the remote as it was', async () => {
    const repo = server.createRepository('moved', 'tok-moved-1');
    const store = new MemoryStore();
    const base = await writeCommit(store, { 'a.txt': 'a\n' }, [], 'Base');
    await push({ url: repo.url, token: repo.token, store, ref: 'main', localTip: base });
    const elsewhere = await cliClone(repo, 'moved');
    await cliCommit(elsewhere, { 'b.txt': 'from elsewhere\n' }, 'Made elsewhere');
    await git(elsewhere, ['push', '-q', 'origin', 'main']);
    const theirs = repo.git('rev-parse', 'main').trim();

    const ours = await writeCommit(store, { 'a.txt': 'a, changed here\n' }, [base], 'Made here');
    const result = await push({ url: repo.url, token: repo.token, store, ref: 'main', localTip: ours });
    expect(result).toMatchObject({ status: 'rejected', reason: 'remote_moved', remoteTip: theirs });
    expect(repo.git('rev-parse', 'main').trim()).toBe(theirs);

    // Fetching brings their commit in, on top of the base both sides share.
    const fetched = await fetchRef({ url: repo.url, token: repo.token, store, ref: 'main', haves: [ours] });
    expect(fetched).toMatchObject({ tip: theirs, objectsReceived: 3 });
  });

  it('reports a refused token and an unreachable remote, without the token in the message', async () => {
    const repo = server.createRepository('locked', 'tok-locked-1');
    const store = new MemoryStore();
    const tip = await writeCommit(store, { 'a.txt': 'a\n' }, [], 'First');
    const wrong = 'tok-wrong-secret-1234';
    const refused = await push({ url: repo.url, token: wrong, store, ref: 'main', localTip: tip }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(RemoteError);
    expect(refused).toMatchObject({ kind: 'auth', retryable: false, status: 401 });
    expect((refused as Error).message).toMatch(/refused the token/);
    expect((refused as Error).message).not.toContain(wrong);
    await expect(fetchRef({ url: repo.url, token: wrong, store, ref: 'main' })).rejects.toMatchObject({
      kind: 'auth',
    });
    expect(repo.git('for-each-ref')).toBe('');

    const closed = await closedPort();
    const down = await fetchRef({
      url: `http://127.0.0.1:${closed}/x.git`,
      token: wrong,
      store,
      ref: 'main',
    }).catch((e: unknown) => e);
    expect(down).toMatchObject({ kind: 'unavailable', retryable: true });
    expect((down as Error).message).not.toContain(wrong);
  });
});

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
