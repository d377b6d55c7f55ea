import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { utf8 } from '../crypto/bytes.ts';
import {
  encodeCommit,
  encodeTree,
  objectId,
  parseCommit,
  parseTree,
  type Commit,
  type GitObject,
} from './object.ts';
import { writePack } from './pack-writer.ts';
import { pktLine, readPackets, sideBand, FLUSH, packetText } from './pkt-line.ts';

const repo = mkdtempSync(join(tmpdir(), 'git-objects-'));
execFileSync('git', ['init', '-q', '--bare', '--initial-branch=main', repo]);
afterAll(() => rmSync(repo, { recursive: true, force: true }));

function git(args: string[], input?: Uint8Array): string {
  return execFileSync('git', ['-C', repo, ...args], { input, encoding: 'utf8' });
}

async function project(): Promise<{ objects: GitObject[]; commit: string; tree: string }> {
  const readme = utf8('# Notes\n');
  const app = utf8('console.log("ü");\n');
  const readmeId = await objectId('blob', readme);
  const appId = await objectId('blob', app);
  // `src` sorts after `src.js` as a directory ("src/" > "src."), which a plain name sort gets wrong.
  const src = encodeTree([{ mode: '100644', name: 'app.js', id: appId }]);
  const srcId = await objectId('tree', src);
  const root = encodeTree([
    { mode: '40000', name: 'src', id: srcId },
    { mode: '100644', name: 'src.js', id: appId },
    { mode: '100755', name: 'README.md', id: readmeId },
  ]);
  const tree = await objectId('tree', root);
  const fields: Commit = {
    tree,
    parents: [],
    author: {
      name: 'Samokoder <agent>',
      email: 'agent@samokoder.local',
      time: 1_700_000_000,
      offsetMinutes: 0,
    },
    committer: { name: 'Ada', email: 'ada@example.com', time: 1_700_000_060, offsetMinutes: -330 },
    message: 'Write the page\n\nTask: t1',
  };
  const body = encodeCommit(fields);
  const commit = await objectId('commit', body);
  const objects: GitObject[] = [
    { type: 'blob', body: readme },
    { type: 'blob', body: app },
    { type: 'tree', body: src },
    { type: 'tree', body: root },
    { type: 'commit', body },
  ];
  return { objects, commit, tree };
}

describe('git objects and packs', () => {
  it('are what the stock git client reads: same ids, a valid pack, a readable log', async () => {
    const { objects, commit, tree } = await project();
    const pack = await writePack(objects);
    git(['index-pack', '--stdin', '--fix-thin'], pack);
    git(['update-ref', 'refs/heads/main', commit]);
    expect(git(['fsck', '--strict', '--no-dangling'])).toBe('');
    expect(git(['rev-parse', 'main^{tree}']).trim()).toBe(tree);
    expect(git(['ls-tree', '-r', '--name-only', 'main']).split('\n').filter(Boolean)).toEqual([
      'README.md',
      'src.js',
      'src/app.js',
    ]);
    expect(git(['show', 'main:src/app.js'])).toBe('console.log("ü");\n');
    expect(git(['log', '-1', '--format=%an|%ae|%cn|%ci|%s|%(trailers:key=Task,valueonly)', 'main'])).toBe(
      'Samokoder agent|agent@samokoder.local|Ada|2023-11-14 16:44:20 -0530|Write the page|t1\n\n',
    );
  });

  it('parse back to the fields they were written from', async () => {
    const { objects } = await project();
    const root = parseTree(objects[3]!.body);
    expect(root.map((e) => `${e.mode} ${e.name}`)).toEqual([
      '100755 README.md',
      '100644 src.js',
      '40000 src',
    ]);
    const commit = parseCommit(objects[4]!.body);
    expect(commit.committer.offsetMinutes).toBe(-330);
    expect(commit.message).toBe('Write the page\n\nTask: t1\n');
  });

  it('frame pkt-lines and side-band data as git expects', () => {
    const lines = [pktLine('want abc\n'), FLUSH, ...sideBand(1, new Uint8Array(70_000))];
    const bytes = new Uint8Array(lines.reduce((n, l) => n + l.length, 0));
    let at = 0;
    for (const line of lines) {
      bytes.set(line, at);
      at += line.length;
    }
    const { packets, end } = readPackets(bytes);
    expect(end).toBe(bytes.length);
    expect(packetText(packets[0]!)).toBe('want abc');
    expect(packets[1]!.kind).toBe('flush');
    expect(packets.slice(2).map((p) => (p.kind === 'data' ? p.payload.length : 0))).toEqual([
      65516,
      70_000 - 65515 + 1,
    ]);
  });
});
