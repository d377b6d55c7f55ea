/**
 * Push and fetch benchmark, run with `node workers/bench/git/push.ts` (loopback only: a git server this
 * run starts). A 2,000-file project is pushed by the platform's client (`workers/src/git/remote`) and,
 * as the baseline, by the stock `git push` of the same tree to the same server, in the same run: its
 * first commit, then a next commit that changes one file. Then the whole history is fetched back by the
 * client (the pack read, every delta resolved) beside `git clone` of it. Medians of a few rounds.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git, withToken } from '../../../infra/git-server/git-cli.ts';
import { startGitServer } from '../../../infra/git-server/server.ts';
import { fetchRef } from '../../src/git/remote/fetch-ref.ts';
import { push } from '../../src/git/remote/push.ts';
import { writeCommit, type Files } from '../../src/git/remote/test-history.ts';
import { MemoryStore } from '../../src/git/store.ts';

const FILES = 2000;
const ROUNDS = 3;

/** A project of `FILES` source files of 1-3 KB in 100 folders, like a generated app grown large. */
function project(): Files {
  const files: Files = {};
  for (let i = 0; i < FILES; i++) {
    const lines = Array.from(
      { length: 30 + (i % 60) },
      (_, l) => `export const value${l} = ${i * 1000 + l}; // ${i}:${l}`,
    );
    files[`src/module-${i % 100}/file-${i}.ts`] = `${lines.join('\n')}\n`;
  }
  return files;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const server = await startGitServer();
const work = mkdtempSync(join(tmpdir(), 'git-push-bench-'));
const files = project();
const changed = { ...files, 'src/module-7/file-7.ts': `${files['src/module-7/file-7.ts']}// changed\n` };
const figures = {
  clientFirst: [] as number[],
  clientNext: [] as number[],
  cliFirst: [] as number[],
  cliNext: [] as number[],
};
const fetchFigures = { client: [] as number[], cli: [] as number[] };
let sentFirst = 0;
let sentNext = 0;
let packBytes = 0;

try {
  for (let round = 0; round < ROUNDS; round++) {
    // The platform's client, from a store that holds the project (as the Durable Object's does).
    const store = new MemoryStore();
    const first = await writeCommit(store, files, [], 'First');
    const next = await writeCommit(store, changed, [first], 'Next');
    const ours = server.createRepository(`client-${round}`, `tok-client-${round}`);
    const access = { url: ours.url, token: ours.token, store, ref: 'main' };
    figures.clientFirst.push(
      await timed(async () => {
        const result = await push({ ...access, localTip: first });
        if (result.status === 'pushed') sentFirst = result.objectsSent;
      }),
    );
    figures.clientNext.push(
      await timed(async () => {
        const result = await push({ ...access, localTip: next });
        if (result.status === 'pushed') sentNext = result.objectsSent;
      }),
    );

    // The stock git client, the same tree from a working copy.
    const theirs = server.createRepository(`cli-${round}`, `tok-cli-${round}`);
    const dir = join(work, `cli-${round}`);
    mkdirSync(dir);
    await git(dir, ['init', '-q', '--initial-branch=main']);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    await git(dir, ['add', '-A']);
    await git(dir, ['commit', '-q', '-m', 'First']);
    const remote = withToken(theirs.url, theirs.token);
    figures.cliFirst.push(await timed(() => git(dir, ['push', '-q', remote, 'main'])));
    writeFileSync(join(dir, 'src/module-7/file-7.ts'), changed['src/module-7/file-7.ts']!);
    await git(dir, ['commit', '-q', '-am', 'Next']);
    figures.cliNext.push(await timed(() => git(dir, ['push', '-q', remote, 'main'])));

    // Fetching the whole history back: the client's pack reader beside a clone by the CLI.
    ours.git('repack', '-adf', '--no-write-bitmap-index');
    fetchFigures.client.push(
      await timed(async () => {
        const result = await fetchRef({
          url: ours.url,
          token: ours.token,
          store: new MemoryStore(),
          ref: 'main',
        });
        packBytes = result.packBytes;
      }),
    );
    fetchFigures.cli.push(
      await timed(() =>
        git(work, ['clone', '-q', '--bare', withToken(ours.url, ours.token), `clone-${round}`]),
      ),
    );
  }
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}

const row = (what: string, ours: number[], baseline: number[]) => {
  const a = median(ours);
  const b = median(baseline);
  console.log(
    `${what.padEnd(44)}${a.toFixed(0).padStart(9)}${b.toFixed(0).padStart(12)}${(a / b).toFixed(2).padStart(8)}`,
  );
};
console.log(`\n${FILES} files, median of ${ROUNDS} rounds (ms)`);
console.log(`${'what'.padEnd(44)}${'client'.padStart(9)}${'git CLI'.padStart(12)}${'ratio'.padStart(8)}`);
row(`push, first commit (${sentFirst} objects)`, figures.clientFirst, figures.cliFirst);
row(`push, next commit, one file (${sentNext} objects)`, figures.clientNext, figures.cliNext);
row(
  `fetch everything (${(packBytes / 1024).toFixed(0)} KiB pack) vs clone`,
  fetchFigures.client,
  fetchFigures.cli,
);
