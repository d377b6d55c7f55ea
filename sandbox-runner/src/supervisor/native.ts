/**
 * The native supervisor (../../native/*.c): built here with the host's C compiler into one static
 * binary, which the runner mounts read-only into each sandbox, as Docker mounts docker-init. It starts in
 * about a millisecond, where Node takes 70-80 ms, and needs nothing from the image.
 *
 * The binary is named by a hash of its sources, the flags and the compiler, and built once: a runner
 * that finds it skips the build, and two runners that build at once each rename a finished file into
 * place, so neither sees half of one.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The C sources and headers (tests live in native/test/ and are not part of the binary). */
export const NATIVE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../native');

/** Static: the binary runs in any image, whatever its C library, or none. */
const FLAGS = ['-std=c11', '-D_GNU_SOURCE', '-O2', '-Wall', '-Wextra', '-Werror', '-static'];

/** Where a sandbox finds it. */
export const NATIVE_SUPERVISOR_PATH = '/.samokoder/supervisor';

/**
 * Builds the binary if it is not built yet and returns its path. Rejects when there is no C compiler
 * (`CC`, else `cc`) or the build fails; the message says which.
 */
export async function buildNativeSupervisor(compiler = process.env.CC || 'cc'): Promise<string> {
  const files = readdirSync(NATIVE_DIR)
    .filter((f) => f.endsWith('.c') || f.endsWith('.h'))
    .sort();
  let version: string;
  try {
    version = (await run(compiler, ['--version'])).stdout;
  } catch (err) {
    throw new Error(`no C compiler to build the native supervisor (${compiler})`, { cause: err });
  }
  const hash = createHash('sha256').update(version).update(FLAGS.join(' '));
  for (const file of files) hash.update(file).update(readFileSync(join(NATIVE_DIR, file)));
  const out = join(NATIVE_DIR, 'build', `supervisor-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const partial = `${out}.${process.pid}.partial`;
  const sources = files.filter((f) => f.endsWith('.c')).map((f) => join(NATIVE_DIR, f));
  try {
    await run(compiler, [...FLAGS, '-o', partial, ...sources]);
    renameSync(partial, out);
    // Builds of older sources go (a container that mounts one keeps its file while it runs).
    for (const old of readdirSync(dirname(out))) {
      if (old.startsWith('supervisor-') && !old.endsWith('.partial') && join(dirname(out), old) !== out) {
        rmSync(join(dirname(out), old), { force: true });
      }
    }
  } catch (err) {
    rmSync(partial, { force: true });
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`could not build the native supervisor${stderr ? `:\n${stderr}` : ''}`, { cause: err });
  }
  return out;
}
