/**
 * Paths of the file API: everything stays inside /workspace. Symlinks are resolved here, inside the
 * container; a path whose real location is outside is refused. (The supervisor has no more rights than the
 * sandboxed code, so a race with a program swapping links can reach nothing that program could not.)
 */
import * as fs from 'node:fs';
import { posix } from 'node:path';
import { SupervisorError, errno, WORKSPACE } from './protocol.ts';

function assertInside(real: string, rel: string): void {
  if (real !== WORKSPACE && !real.startsWith(`${WORKSPACE}/`)) {
    throw new SupervisorError('path_outside_workspace', `${rel} leads outside the workspace`);
  }
}

export function lexical(rel: string): string {
  if (typeof rel !== 'string' || rel.length === 0 || rel.includes('\0') || rel.startsWith('/')) {
    throw new SupervisorError('invalid_path', 'paths are relative to the workspace');
  }
  if (rel.split('/').includes('..')) throw new SupervisorError('invalid_path', 'paths must not contain ".."');
  return posix.join(WORKSPACE, rel);
}

/** Every existing ancestor of `full` that is a symlink must resolve inside the workspace. */
export function checkAncestors(full: string, rel: string): void {
  const parts = posix.relative(WORKSPACE, full).split('/').slice(0, -1);
  let cur = WORKSPACE;
  for (const part of parts) {
    cur = `${cur}/${part}`;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(cur);
    } catch (err) {
      if (errno(err) === 'ENOENT') return;
      throw err;
    }
    if (st.isSymbolicLink()) {
      let real: string;
      try {
        real = fs.realpathSync(cur);
      } catch {
        throw new SupervisorError('path_outside_workspace', `${rel} goes through a dangling symlink`);
      }
      assertInside(real, rel);
    } else if (!st.isDirectory()) {
      throw new SupervisorError('invalid_path', `${rel}: ${part} is not a directory`);
    }
  }
}

/** Resolves an existing path (following symlinks) and checks it stays inside. */
export function resolveExisting(rel: string): string {
  const full = lexical(rel);
  checkAncestors(full, rel);
  let real: string;
  try {
    real = fs.realpathSync(full);
  } catch (err) {
    const code = errno(err);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    // A dangling symlink: say where it points if that is outside, rather than a plain "not found".
    const link = fs.lstatSync(full, { throwIfNoEntry: false });
    if (link?.isSymbolicLink()) assertInside(posix.resolve(posix.dirname(full), fs.readlinkSync(full)), rel);
    throw new SupervisorError('file_not_found', `${rel} does not exist`);
  }
  assertInside(real, rel);
  return real;
}

/** Resolves a path to write: parents are created, a final symlink is followed only if it stays inside. */
export function resolveForWrite(rel: string): string {
  const full = lexical(rel);
  if (full === WORKSPACE) throw new SupervisorError('invalid_path', 'cannot write the workspace itself');
  checkAncestors(full, rel);
  let target = full;
  try {
    if (fs.lstatSync(full).isSymbolicLink()) {
      try {
        target = fs.realpathSync(full);
      } catch {
        throw new SupervisorError('path_outside_workspace', `${rel} is a dangling symlink`);
      }
      assertInside(target, rel);
    }
  } catch (err) {
    if (errno(err) !== 'ENOENT') throw err;
  }
  fs.mkdirSync(posix.dirname(target), { recursive: true });
  return target;
}
