import type { SnapshotFile } from '@samokoder/db';
import { fromBase64, utf8 } from '../crypto/bytes.ts';
import { buildZip, type ZipEntry } from './zip.ts';

/** A name safe for a download and a folder: lower-case ASCII letters, digits and dashes. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'project';
}

/**
 * A snapshot path made safe to unpack: relative, forward slashes, no `.` or `..` segments and no
 * control characters. Null for a path that cannot be made safe (it is left out of the archive), so a
 * bad path can never write outside the folder the user unpacks into.
 */
export function safePath(path: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return null;
  const segments = path
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.some((s) => s === '..' || /^[A-Za-z]:$/.test(s))) return null;
  return segments.join('/');
}

/** The snapshot as a zip, every file under one folder named after the project. */
export async function snapshotZip(
  projectName: string,
  files: (SnapshotFile & { executable?: boolean })[],
  modified: Date,
): Promise<{ zip: Uint8Array<ArrayBuffer>; fileName: string; skipped: number }> {
  const folder = slugify(projectName);
  const byPath = new Map<string, ZipEntry>();
  let skipped = 0;
  for (const file of files) {
    const path = safePath(file.path);
    if (!path) {
      skipped++;
      continue;
    }
    byPath.set(path, {
      path: `${folder}/${path}`,
      data: file.binary ? fromBase64(file.content) : utf8(file.content),
      ...(file.executable ? { executable: true } : {}),
    });
  }
  const entries = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  return { zip: await buildZip(entries, modified), fileName: `${folder}.zip`, skipped };
}
