import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildZip } from '../../workers/src/projects/zip.ts';
import { unzipTo } from './unzip.ts';

const root = mkdtempSync(join(tmpdir(), 'samokoder-eval-unzip-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const text = (s: string) => new TextEncoder().encode(s);

describe("unpacking a project's export", () => {
  it("writes every file (stored and deflated) and answers the archive's one top folder", async () => {
    const big = 'x'.repeat(5_000);
    const zip = await buildZip(
      [
        { path: 'todos/README.md', data: text('# todos\n') },
        { path: 'todos/src/server.js', data: text(big) },
      ],
      new Date('2026-12-05T00:00:00Z'),
    );
    const dir = unzipTo(Buffer.from(zip), join(root, 'a'));
    expect(dir).toBe(join(root, 'a', 'todos'));
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('# todos\n');
    expect(readFileSync(join(dir, 'src/server.js'), 'utf8')).toBe(big);
  });

  it('refuses a path that would leave the folder, and an archive that is not a zip', async () => {
    const zip = await buildZip([{ path: '../escaped.txt', data: text('x') }], new Date());
    expect(() => unzipTo(Buffer.from(zip), join(root, 'b'))).toThrow('../escaped.txt: leaves the folder');
    expect(() => unzipTo(Buffer.from('not a zip'), join(root, 'c'))).toThrow('not a zip archive');
  });
});
