import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unzip } from '../../test/helpers/unzip.ts';
import { crc32 } from './crc32.ts';
import { safePath, slugify, snapshotZip } from './export.ts';
import { buildZip } from './zip.ts';

const text = (s: string) => new TextEncoder().encode(s);
const hasUnzip = ['/usr/bin/unzip', '/bin/unzip'].some((p) => existsSync(p));

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });
});

describe('zip writer', () => {
  const files = [
    { path: 'README.md', data: text('# Hello\n') },
    { path: 'src/app.ts', data: text('export const answer = 42;\n'.repeat(200)) },
    { path: 'assets/logo.bin', data: Uint8Array.from({ length: 300 }, (_, i) => (i * 7919) % 256) },
    { path: 'docs/заметки.txt', data: text('unicode names are UTF-8') },
  ];

  it('round-trips stored and deflated entries with their CRCs', async () => {
    const zip = await buildZip(files, new Date('2026-11-25T10:20:30Z'));
    const entries = await unzip(zip);
    expect(entries.map((e) => e.path)).toEqual(files.map((f) => f.path));
    for (const [i, entry] of entries.entries()) expect(entry.data).toEqual(files[i]!.data);
    expect(entries.find((e) => e.path === 'src/app.ts')?.method).toBe(8);
    expect(entries.find((e) => e.path === 'README.md')?.method).toBe(0);
    expect(entries[0]?.mode).toBe(0o100644);
    // Compression really happened: the repeated source line shrinks a lot.
    expect(zip.length).toBeLessThan(files.reduce((n, f) => n + f.data.length, 0));
  });

  it.runIf(hasUnzip)('is accepted by Info-ZIP unzip, contents and all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-test-'));
    try {
      const file = join(dir, 'out.zip');
      writeFileSync(file, await buildZip(files, new Date('2026-11-25T10:20:30Z')));
      expect(execFileSync('unzip', ['-t', file]).toString()).toMatch(/No errors detected/);
      expect(execFileSync('unzip', ['-p', file, 'src/app.ts']).toString()).toBe(
        'export const answer = 42;\n'.repeat(200),
      );
      expect(execFileSync('unzip', ['-l', file]).toString()).toMatch(/2026-11-25 10:20|11-25-2026 10:20/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a valid empty archive', async () => {
    expect(await unzip(await buildZip([], new Date()))).toEqual([]);
  });
});

describe('snapshot export', () => {
  it('keeps paths inside the project folder and drops those that would escape it', () => {
    expect(safePath('src/./app.ts')).toBe('src/app.ts');
    expect(safePath('/etc/passwd')).toBe('etc/passwd');
    expect(safePath('win\\style\\path.txt')).toBe('win/style/path.txt');
    expect(safePath('../outside.txt')).toBeNull();
    expect(safePath('a/../../b')).toBeNull();
    expect(safePath('C:/boot.ini')).toBeNull();
    expect(safePath('bad\nname')).toBeNull();
    expect(safePath('')).toBeNull();
  });

  it('names the archive and its folder after the project', () => {
    expect(slugify('My Todo App!')).toBe('my-todo-app');
    expect(slugify('Привет')).toBe('project');
  });

  it('builds the archive from text and base64 files', async () => {
    const { zip, fileName, skipped } = await snapshotZip(
      'Todo App',
      [
        { path: 'index.js', content: 'console.log(1)' },
        { path: 'img.png', content: btoa('\x89PNG'), binary: true },
        { path: '../evil.sh', content: 'rm -rf /' },
      ],
      new Date(),
    );
    expect(fileName).toBe('todo-app.zip');
    expect(skipped).toBe(1);
    const entries = await unzip(zip);
    expect(entries.map((e) => e.path)).toEqual(['todo-app/img.png', 'todo-app/index.js']);
    expect(Array.from(entries[0]!.data)).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});
