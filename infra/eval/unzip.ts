/**
 * Unpacks a project's export (a zip the platform built: stored or deflated entries, one top folder)
 * into a directory. Paths that would leave the directory are refused; every entry's CRC is checked.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipFile {
  path: string;
  data: Buffer;
  /** Unix mode from the external attributes (0 when the archive has none). */
  mode: number;
}

/** The files of a zip archive (directories left out). */
export function readZip(archive: Buffer): ZipFile[] {
  const eocd = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive (no end-of-central-directory record)');
  const count = archive.readUInt16LE(eocd + 10);
  let at = archive.readUInt32LE(eocd + 16);
  const files: ZipFile[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const compressed = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extra = archive.readUInt16LE(at + 30);
    const comment = archive.readUInt16LE(at + 32);
    const mode = archive.readUInt32LE(at + 38) >>> 16;
    const local = archive.readUInt32LE(at + 42);
    const path = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const body = archive.subarray(start, start + compressed);
    at += 46 + nameLength + extra + comment;
    if (path.endsWith('/')) continue;
    const data = method === 8 ? inflateRawSync(body) : method === 0 ? Buffer.from(body) : null;
    if (!data) throw new Error(`${path}: unsupported compression method ${method}`);
    if (crc32(data) !== crc) throw new Error(`${path}: CRC mismatch`);
    files.push({ path, data, mode });
  }
  return files;
}

/** Writes the archive's files under `dir`; answers the archive's top folder (its only one), or `dir`. */
export function unzipTo(archive: Buffer, dir: string): string {
  const root = resolve(dir);
  const files = readZip(archive);
  for (const file of files) {
    const target = resolve(root, file.path);
    if (relative(root, target).startsWith('..') || !target.startsWith(root + sep))
      throw new Error(`${file.path}: leaves the folder it is unpacked into`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.data);
    if (file.mode & 0o111) chmodSync(target, 0o755);
  }
  const tops = new Set(files.map((f) => f.path.split('/')[0]));
  const [only] = tops;
  return tops.size === 1 && files.every((f) => f.path.includes('/')) && only ? join(root, only) : root;
}
