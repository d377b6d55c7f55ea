import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../store.ts';
import { RemoteTooLargeError } from './errors.ts';
import { PackError, readPack } from './pack-reader.ts';

const repo = mkdtempSync(join(tmpdir(), 'git-pack-reader-'));
afterAll(() => rmSync(repo, { recursive: true, force: true }));
const git = (args: string[], input?: string) =>
  execFileSync('git', ['-C', repo, ...args], {
    input,
    maxBuffer: 64 << 20,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Ada',
      GIT_AUTHOR_EMAIL: 'a@x',
      GIT_COMMITTER_NAME: 'Ada',
      GIT_COMMITTER_EMAIL: 'a@x',
    },
  });

/** A history whose big file changes a little each commit: git stores those versions as deltas. */
execFileSync('git', ['init', '-q', '--initial-branch=main', repo]);
const lines = Array.from({ length: 3000 }, (_, i) => `line ${i}: ${'x'.repeat(i % 50)}\n`);
for (let round = 0; round < 4; round++) {
  lines[round * 700] = `changed in round ${round}\n`;
  writeFileSync(join(repo, 'big.txt'), lines.join(''));
  writeFileSync(join(repo, `small-${round}.txt`), `small ${round}\n`);
  git(['add', '.']);
  git(['commit', '-q', '-m', `Round ${round}`]);
}

/** The objects of `revs` as git's pack-objects writes them (`extra`: its options). */
function packOf(revs: string[], extra: string[]): Uint8Array {
  return git(['pack-objects', '--stdout', '--revs', ...extra], `${revs.join('\n')}\n`);
}

/** Every object's type and content as `git cat-file` has them. */
function expectSameAsGit(objects: { id: string; type: string; body: Uint8Array }[]) {
  for (const object of objects) {
    expect(git(['cat-file', '-t', object.id]).toString().trim()).toBe(object.type);
    expect(Buffer.from(object.body).equals(git(['cat-file', object.type, object.id]))).toBe(true);
  }
}

// The git CLI is spawned many times: on a busy machine that takes far longer than the default 5 s.
describe('the pack reader', { timeout: 60_000 }, () => {
  it('reads a pack of OFS_DELTAs with the ids and contents git has', async () => {
    const pack = packOf(['main'], ['--delta-base-offset']);
    const objects = await readPack(pack);
    const all = git(['rev-list', '--objects', 'main']).toString().trim().split('\n');
    expect(new Set(objects.map((o) => o.id))).toEqual(new Set(all.map((line) => line.split(' ')[0])));
    expect(pack.length).toBeLessThan(lines.join('').length); // deltas, not four copies of big.txt
    expectSameAsGit(objects);
  });

  it('reads a thin pack of REF_DELTAs against objects the store already has', async () => {
    const store = new MemoryStore();
    for (const object of await readPack(packOf(['main~1'], []))) await store.put(object);
    const thin = packOf(['main', '^main~1'], ['--thin']);
    await expect(readPack(thin)).rejects.toThrow(PackError); // its bases are outside it
    const objects = await readPack(thin, store);
    expect(objects.map((o) => o.id)).toContain(git(['rev-parse', 'main:big.txt']).toString().trim());
    expectSameAsGit(objects);
  });

  it('refuses a pack that unpacks to more than allowed, and an object that inflates past its size', async () => {
    const pack = packOf(['main'], []);
    await expect(readPack(pack, undefined, { maxBytes: 10_000 })).rejects.toBeInstanceOf(RemoteTooLargeError);
    expect((await readPack(pack, undefined, { maxBytes: 10_000_000 })).length).toBeGreaterThan(0);

    // One blob that says it holds 10 bytes, and inflates to a megabyte (a bomb would to gigabytes).
    const body = Buffer.concat([
      Buffer.from('PACK'),
      Buffer.from([0, 0, 0, 2, 0, 0, 0, 1]),
      Buffer.from([(3 << 4) | 10]),
      deflateSync(Buffer.alloc(1 << 20)),
    ]);
    const bomb = Buffer.concat([body, createHash('sha1').update(body).digest()]);
    await expect(readPack(bomb)).rejects.toThrow(/larger than its object says/);
  });

  it('refuses a pack whose checksum does not match', async () => {
    const pack = packOf(['main'], []);
    pack[40] = pack[40]! ^ 0xff;
    await expect(readPack(pack)).rejects.toThrow(/checksum/);
  });
});
