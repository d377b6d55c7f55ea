/**
 * The native supervisor's parts, tested where they are written: its JSON and base64 (native/json.c) and
 * its file operations (native/files.c), each by a C test program built with the host's compiler and the
 * address and undefined-behaviour sanitizers; and the supervisor itself, built as the runner builds it.
 * The sandbox suite runs the built binary in real containers.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNativeSupervisor, NATIVE_DIR } from '../../src/supervisor/native.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'samokoder-native-'));
// Run as root, the file test checks refusals in a child of another uid, which must reach the workspace.
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FLAGS = ['-std=c11', '-D_GNU_SOURCE', '-Wall', '-Wextra', '-Werror', '-O1', '-g'];
const SANITIZERS = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all'];

/** The program header type that names a dynamic loader. */
const PT_INTERP = 3;

/** The types of a 64-bit little-endian ELF file's program headers. */
function programHeaderTypes(elf: Buffer): number[] {
  const offset = Number(elf.readBigUInt64LE(0x20));
  const size = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  return Array.from({ length: count }, (_, i) => elf.readUInt32LE(offset + i * size));
}

/** Builds a C test program from `sources` (in native/) and runs it; resolves with its output. */
async function cTest(name: string, sources: string[], defines: string[] = []): Promise<string> {
  const binary = join(dir, name);
  await run('cc', [
    ...FLAGS,
    ...SANITIZERS,
    ...defines,
    '-o',
    binary,
    ...sources.map((s) => join(NATIVE_DIR, s)),
  ]);
  // A failing run's output is what the assertion shows: the checks that failed, one per line.
  const { stdout, stderr } = await run(binary, [], { cwd: dir, timeout: 60_000 }).catch(
    (err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
  );
  return `${stdout}${stderr}`;
}

/** `npm start` installs a compiler where it can; a machine without one runs the Node supervisor. */
const hasCompiler = spawnSync('cc', ['--version']).status === 0;

describe.runIf(hasCompiler)('the native supervisor', () => {
  it('builds as the runner builds it: one static executable, built once', async () => {
    const binary = await buildNativeSupervisor();
    const elf = readFileSync(binary);
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(programHeaderTypes(elf)).not.toContain(PT_INTERP); // no dynamic loader: runs in any image
    expect(await buildNativeSupervisor()).toBe(binary);
  });

  it('parses and writes JSON and base64 as the runner sends and reads them', async () => {
    expect(await cTest('json-test', ['json.c', 'test/json-test.c'])).toMatch(
      /^json-test: \d+ checks passed$/m,
    );
  });

  it('keeps file operations inside the workspace, with the Node supervisor’s codes', async () => {
    const out = await cTest(
      'files-test',
      ['files.c', 'json.c', 'supervisor.c', 'test/files-test.c'],
      [`-DWORKSPACE="${join(dir, 'ws')}"`],
    );
    expect(out).toMatch(/^files-test: \d+ checks passed$/m);
  });
});
