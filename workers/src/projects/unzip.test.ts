import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../crypto/bytes.ts';
import { snapshotZip } from './export.ts';
import { readImportSource } from './import-source.ts';
import { ImportError, IMPORT_LIMITS } from './import-tree.ts';
import { readZipDirectory, readZipEntry } from './unzip.ts';
import { buildZip } from './zip.ts';

const work = mkdtempSync(join(tmpdir(), 'samokoder-unzip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A PNG's first bytes and then every byte value: not UTF-8, with NULs. */
const PNG = Uint8Array.from([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  ...Array.from({ length: 256 }, (_, i) => i),
]);
const text = (s: string) => new TextEncoder().encode(s);
let n = 0;

/** Writes `files` into a fresh folder and zips it with the `zip` CLI (`args` before the defaults). */
function zipCli(
  files: Record<string, string | Uint8Array>,
  args: string[] = [],
  link?: [string, string],
): Uint8Array {
  const root = join(work, `tree${++n}`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  if (link) symlinkSync(link[1], join(root, link[0]));
  const out = join(work, `archive${n}.zip`);
  execFileSync('zip', ['-q', '-r', ...args, out, '.'], { cwd: root });
  return new Uint8Array(readFileSync(out));
}

async function refusal(archive: Uint8Array): Promise<ImportError> {
  const err = await readImportSource({ kind: 'zip', archive }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImportError);
  return err as ImportError;
}

describe('the zip reader', () => {
  it('reads a zip made by the zip CLI: one top folder unwrapped, a binary file byte-exact, tool folders skipped', async () => {
    const archive = zipCli({
      'my-app/package.json': '{ "name": "my-app" }\n',
      'my-app/src/index.js': 'console.log("héllo");\r\n'.repeat(50),
      'my-app/public/logo.png': PNG,
      'my-app/node_modules/left-pad/index.js': 'module.exports = 1;\n',
      'my-app/node_modules/left-pad/package.json': '{}\n',
      'my-app/.git/HEAD': 'ref: refs/heads/main\n',
      'my-app/dist/bundle.js': 'built\n',
      'my-app/.DS_Store': 'junk',
    });
    const tree = await readImportSource({ kind: 'zip', archive });
    expect(tree.folder).toBe('my-app');
    expect(tree.files.map((f) => [f.path, f.binary])).toEqual([
      ['package.json', false],
      ['public/logo.png', true],
      ['src/index.js', false],
    ]);
    expect(fromBase64(tree.files[1]!.content)).toEqual(PNG);
    // Text keeps its bytes (CRLF, non-ASCII) exactly.
    expect(tree.files[2]!.content).toBe('console.log("héllo");\r\n'.repeat(50));
    expect(Object.fromEntries(tree.skipped.map((g) => [g.reason, g.count]))).toEqual({
      dependencies: 2,
      'version control': 1,
      'build output': 1,
      'system files': 1,
    });
  });

  it('keeps a project whose files sit at the top as it is, and skips symbolic links', async () => {
    const archive = zipCli(
      { 'index.html': '<h1>hi</h1>\n', 'src/a.js': 'a\n' },
      ['-y'],
      ['link.js', 'src/a.js'],
    );
    const tree = await readImportSource({ kind: 'zip', archive });
    expect(tree.folder).toBeNull();
    expect(tree.files.map((f) => f.path)).toEqual(['index.html', 'src/a.js']);
    expect(tree.skipped).toEqual([{ reason: 'symbolic links', count: 1, examples: ['link.js'] }]);
  });

  it('keeps the executable bit of a file zipped on Unix, and the export gives it back to unzip', async () => {
    const root = join(work, `tree${++n}`);
    mkdirSync(join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'bin/run.sh'), '#!/bin/sh\necho run\n');
    chmodSync(join(root, 'bin/run.sh'), 0o755);
    writeFileSync(join(root, 'README.md'), '# Run\n');
    const out = join(work, `archive${n}.zip`);
    execFileSync('zip', ['-q', '-r', out, '.'], { cwd: root });
    const tree = await readImportSource({ kind: 'zip', archive: new Uint8Array(readFileSync(out)) });
    expect(tree.files.map((f) => [f.path, f.executable ?? false])).toEqual([
      ['README.md', false],
      ['bin/run.sh', true],
    ]);

    const { zip } = await snapshotZip('Run', tree.files, new Date());
    const exported = join(work, `export${n}.zip`);
    writeFileSync(exported, zip);
    const unpacked = join(work, `unpacked${n}`);
    execFileSync('unzip', ['-q', exported, '-d', unpacked]);
    expect(statSync(join(unpacked, 'run/bin/run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(unpacked, 'run/README.md')).mode & 0o111).toBe(0);
  });

  it('refuses a zip bomb by its ratio before unpacking it', async () => {
    const archive = zipCli({ 'zeros.txt': new Uint8Array(8 * 1024 * 1024) });
    const err = await refusal(archive);
    expect(err.status).toBe(422);
    expect(err.message).toMatch(/zip bomb/);
  });

  it('stops unpacking an entry that lies about its size', async () => {
    const archive = await buildZip([{ path: 'a.txt', data: new Uint8Array(100_000) }], new Date());
    const [entry] = readZipDirectory(archive);
    expect(entry!.method).toBe(8);
    await expect(readZipEntry(archive, { ...entry!, size: 1_000 })).rejects.toThrow(/more than it declares/);
  });

  it('refuses paths that point outside the project, absolute ones and duplicates', async () => {
    const at = new Date();
    for (const [path, message] of [
      ['../evil.js', /points outside the project/],
      ['app/../../evil.js', /points outside the project/],
      ['/etc/passwd', /absolute path/],
      ['C:\\Windows\\evil.js', /absolute path/],
    ] as const) {
      const err = await refusal(await buildZip([{ path, data: text('x') }], at));
      expect([err.status, err.message]).toEqual([422, expect.stringMatching(message)]);
    }
    const twice = await buildZip(
      [
        { path: 'src/a.js', data: text('1') },
        { path: 'src\\a.js', data: text('2') },
      ],
      at,
    );
    expect((await refusal(twice)).message).toMatch(/"src\/a.js" is in the archive twice/);
  });

  it('refuses an encrypted zip, an empty one and what is not a zip', async () => {
    const encrypted = zipCli({ 'a.txt': 'secret\n' }, ['-P', 'pw']);
    expect((await refusal(encrypted)).message).toMatch(/encrypted/);
    expect((await refusal(await buildZip([], new Date()))).message).toMatch(/empty/);
    const onlyDeps = await buildZip([{ path: 'node_modules/x/index.js', data: text('x') }], new Date());
    expect((await refusal(onlyDeps)).message).toMatch(/no files of the app itself \(1 left out/);
    const err = await refusal(text('PK not really a zip, just text that is long enough'));
    expect([err.status, err.message]).toEqual([422, expect.stringMatching(/not a zip archive/)]);
  });

  it('reads a tree handed over as entries (a repository) by the same rules', async () => {
    const entry = (name: string, data: Uint8Array, kind: 'file' | 'symlink' = 'file') => ({
      name,
      kind,
      size: data.length,
      read: async () => data,
    });
    const tree = await readImportSource({
      kind: 'tree',
      entries: [
        entry('src/a.js', text('a\n')),
        entry('logo.png', PNG),
        entry('.git/HEAD', text('x')),
        entry('l', text('src/a.js'), 'symlink'),
      ],
    });
    expect(tree.files.map((f) => [f.path, f.binary])).toEqual([
      ['logo.png', true],
      ['src/a.js', false],
    ]);
    expect(tree.skipped.map((g) => g.reason)).toEqual(['version control', 'symbolic links']);
  });

  it('names the limit an archive passes: its size, its file count', async () => {
    const big = new Uint8Array(IMPORT_LIMITS.archiveBytes + 1);
    expect(await refusal(big)).toMatchObject({ status: 413, message: expect.stringMatching(/10 MB limit/) });
    const many = await buildZip(
      Array.from({ length: IMPORT_LIMITS.files + 1 }, (_, i) => ({ path: `f/${i}.txt`, data: text('x') })),
      new Date(),
    );
    expect(await refusal(many)).toMatchObject({
      status: 413,
      message: expect.stringMatching(/2,001 files .* limit is 2,000/),
    });
  });
});
