/** The file operations: batch write, read, list (symlinks listed, never followed), delete. */
import * as fs from 'node:fs';
import { posix } from 'node:path';
import { checkAncestors, lexical, resolveExisting, resolveForWrite } from './paths.ts';
import { SupervisorError, errno, WORKSPACE } from './protocol.ts';
import type { Obj } from './protocol.ts';

export function fileWrite(req: Obj): Obj {
  const files = req.files;
  if (!Array.isArray(files)) throw new SupervisorError('invalid_request', 'files must be an array');
  let bytes = 0;
  for (const file of files) {
    if (typeof file !== 'object' || file === null || Array.isArray(file)) continue;
    const path = String(file.path);
    const data = Buffer.from(String(file.data), 'base64');
    const target = resolveForWrite(path);
    try {
      fs.writeFileSync(target, data);
    } catch (err) {
      if (errno(err) === 'EISDIR') throw new SupervisorError('not_a_file', `${path} is a directory`);
      if (errno(err) === 'ENOSPC')
        throw new SupervisorError('no_space', `no space left in the workspace writing ${path}`);
      throw err;
    }
    if (typeof file.mode === 'number') fs.chmodSync(target, file.mode);
    bytes += data.length;
  }
  return { written: files.length, bytes };
}

export function fileRead(req: Obj): Obj {
  const path = String(req.path);
  const real = resolveExisting(path);
  const st = fs.statSync(real);
  if (!st.isFile()) throw new SupervisorError('not_a_file', `${path} is not a file`);
  const max = typeof req.maxBytes === 'number' ? req.maxBytes : Infinity;
  if (st.size > max)
    throw new SupervisorError('file_too_large', `${path} is ${st.size} bytes (limit ${max})`);
  return { data: fs.readFileSync(real).toString('base64'), size: st.size };
}

export function fileList(req: Obj): Obj {
  const rel = typeof req.path === 'string' && req.path !== '' ? req.path : '.';
  const root = rel === '.' ? WORKSPACE : resolveExisting(rel);
  if (!fs.statSync(root).isDirectory()) throw new SupervisorError('not_a_file', `${rel} is not a directory`);
  const depth = typeof req.depth === 'number' ? req.depth : 1;
  const limit = typeof req.limit === 'number' ? req.limit : 5000;
  const entries: Obj[] = [];
  let truncated = false;
  const walk = (dir: string, level: number) => {
    for (const dirent of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entries.length >= limit) {
        truncated = true;
        return;
      }
      const abs = posix.join(dir, dirent.name);
      const type = dirent.isSymbolicLink()
        ? 'symlink'
        : dirent.isDirectory()
          ? 'dir'
          : dirent.isFile()
            ? 'file'
            : 'other';
      let size = 0;
      try {
        size = type === 'file' ? fs.lstatSync(abs).size : 0;
      } catch {
        // removed while listing
      }
      entries.push({ path: posix.relative(WORKSPACE, abs), type, size });
      if (type === 'dir' && level < depth) walk(abs, level + 1); // symlinks are listed, never followed
    }
  };
  walk(root, 1);
  return { entries, truncated };
}

export function fileDelete(req: Obj): Obj {
  const path = String(req.path);
  const full = lexical(path);
  if (full === WORKSPACE) throw new SupervisorError('invalid_path', 'cannot delete the workspace itself');
  checkAncestors(full, path);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(full);
  } catch {
    throw new SupervisorError('file_not_found', `${path} does not exist`);
  }
  if (st.isDirectory() && req.recursive !== true) {
    throw new SupervisorError('invalid_request', `${path} is a directory: delete it with recursive=true`);
  }
  // rm removes a symlink itself, never what it points to.
  fs.rmSync(full, { recursive: req.recursive === true, force: false });
  return {};
}

/** The workspace is a fresh ext4 disk: it starts empty but for mkfs's lost+found, which goes. */
export function removeLostAndFound(): void {
  try {
    fs.rmdirSync(posix.join(WORKSPACE, 'lost+found'));
  } catch {
    // not there (another kind of workspace) or not empty
  }
}
