import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, tryGit, withToken } from '../../../../infra/git-server/git-cli.ts';
import {
  startGitServer,
  type GitServer,
  type ServedRepository,
} from '../../../../infra/git-server/server.ts';
import { MemoryStore } from '../store.ts';
import { fetchRef } from './fetch-ref.ts';
import { mergeHistories } from './merge.ts';

let server: GitServer;
const work = mkdtempSync(join(tmpdir(), 'git-merge-'));
beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

/**
 * A base commit, then two branches made by the git CLI on top of it (`ours`, `theirs`), pushed to a
 * fresh remote and fetched through the client into one store.
 */
async function histories(
  name: string,
  base: Record<string, string>,
  ours: Record<string, string | null>,
  theirs: Record<string, string | null>,
) {
  const repo: ServedRepository = server.createRepository(name, `tok-${name}`);
  const dir = join(work, name);
  await git(work, ['init', '-q', '--initial-branch=main', dir]);
  const write = async (files: Record<string, string | null>, title: string) => {
    for (const [path, text] of Object.entries(files)) {
      if (text === null) await git(dir, ['rm', '-q', path]);
      else {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
    }
    await git(dir, ['add', '-A']);
    await git(dir, ['commit', '-q', '--allow-empty', '-m', title]);
  };
  await write(base, 'Base');
  await git(dir, ['branch', 'theirs']);
  await git(dir, ['checkout', '-q', '-b', 'ours']);
  await write(ours, 'Ours');
  await git(dir, ['checkout', '-q', 'theirs']);
  await write(theirs, 'Theirs');
  await git(dir, ['push', '-q', withToken(repo.url, repo.token), 'main', 'ours', 'theirs']);
  const store = new MemoryStore();
  const access = { url: repo.url, token: repo.token, store };
  const ourTip = (await fetchRef({ ...access, ref: 'ours' })).tip!;
  const theirTip = (await fetchRef({ ...access, ref: 'theirs', haves: [ourTip] })).tip!;
  const mainTip = (await fetchRef({ ...access, ref: 'main' })).tip!;
  return { store, dir, ours: ourTip, theirs: theirTip, main: mainTip };
}

/** The paths git's own merge finds in conflict (`git merge-tree --write-tree`). */
async function conflictsByGit(dir: string): Promise<string[]> {
  const run = await tryGit(dir, ['merge-tree', '--write-tree', '--name-only', 'ours', 'theirs']);
  if (run.status === 0) return [];
  const [, ...rest] = run.stdout.split('\n\n')[0]!.split('\n');
  return rest.filter(Boolean).sort();
}

// The git CLI is spawned many times: on a busy machine that takes far longer than the default 5 s.
describe('a pull’s merge of the remote’s commits', { timeout: 60_000 }, () => {
  it('brings in what only they changed, beside what only we changed', async () => {
    const h = await histories(
      'clean',
      { 'README.md': '# App\n', 'src/a.js': 'a\n', 'src/b.js': 'b\n', 'old.txt': 'old\n' },
      { 'src/a.js': 'a, ours\n' },
      { 'src/b.js': 'b, theirs\n', 'docs/new.md': 'new\n', 'old.txt': null },
    );
    const outcome = await mergeHistories({ store: h.store, ours: h.ours, theirs: h.theirs });
    expect(outcome.kind).toBe('merged');
    if (outcome.kind !== 'merged') return;
    expect(outcome.base).toBe(h.main);
    const changes = new Map(outcome.changes.map((c) => [c.path, c.after]));
    expect([...changes.keys()].sort()).toEqual(['docs/new.md', 'old.txt', 'src/b.js']);
    expect(changes.get('old.txt')).toBeNull();
    const b = changes.get('src/b.js')!;
    expect(new TextDecoder().decode((await h.store.get(b.id))!.body)).toBe('b, theirs\n');
    expect(await conflictsByGit(h.dir)).toEqual([]);
  });

  it('shows a file both sides changed as a conflict with both texts, the paths git finds', async () => {
    const h = await histories(
      'conflicted',
      { 'src/app.js': 'const title = "Todo";\n', 'src/other.js': 'x\n', 'keep.txt': 'k\n' },
      { 'src/app.js': 'const title = "Tasks";\n', 'keep.txt': 'k, ours\n' },
      { 'src/app.js': 'const title = "Chores";\n', 'src/other.js': 'y\n' },
    );
    const outcome = await mergeHistories({ store: h.store, ours: h.ours, theirs: h.theirs });
    expect(outcome.kind).toBe('conflict');
    if (outcome.kind !== 'conflict') return;
    expect(outcome.conflicts).toEqual([
      {
        path: 'src/app.js',
        base: { text: 'const title = "Todo";\n', binary: false },
        ours: { text: 'const title = "Tasks";\n', binary: false },
        theirs: { text: 'const title = "Chores";\n', binary: false },
      },
    ]);
    expect(outcome.conflicts.map((c) => c.path)).toEqual(await conflictsByGit(h.dir));
    // Their clean change is still listed, for when the user has decided.
    expect(outcome.changes.map((c) => c.path)).toEqual(['src/other.js']);
  });

  it('fast-forwards when the project has nothing of its own since, and does nothing when it has it all', async () => {
    const h = await histories('forward', { 'a.txt': 'a\n' }, {}, { 'a.txt': 'a2\n', 'b/c.txt': 'c\n' });
    const forward = await mergeHistories({ store: h.store, ours: h.main, theirs: h.theirs });
    expect(forward).toMatchObject({ kind: 'fast_forward' });
    if (forward.kind === 'fast_forward')
      expect(forward.changes.map((c) => c.path).sort()).toEqual(['a.txt', 'b/c.txt']);
    expect(await mergeHistories({ store: h.store, ours: h.theirs, theirs: h.main })).toEqual({
      kind: 'up_to_date',
    });
  });
});
