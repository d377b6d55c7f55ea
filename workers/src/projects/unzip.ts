/**
 * A zip reader for uploads (PKZIP 2.0: stored or deflated entries), written for hostile input: it reads
 * the central directory only, refuses what it does not handle (zip64, encryption, split archives, other
 * compression methods) and never inflates more than an entry declares, so a zip bomb stops at its
 * declared size instead of filling memory. Inflating uses DecompressionStream('deflate-raw'), which
 * workerd and Node both have.
 */
import { crc32 } from './crc32.ts';

/** Why an archive cannot be read; the message is written for the person who uploaded it. */
export class ZipError extends Error {
  override readonly name = 'ZipError';
}

/** One entry of the central directory. */
export interface ZipDirectoryEntry {
  /** The name as stored (not yet normalized: it may hold `..`, backslashes or a leading slash). */
  name: string;
  kind: 'file' | 'directory' | 'symlink';
  /** A Unix archiver stored the file with an execute bit (a script, `gradlew`). */
  executable: boolean;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts. */
  localOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const UNIX = 3;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

const utf8Decoder = new TextDecoder('utf-8');
/** Names without the UTF-8 flag are CP437 in theory; in practice tools write UTF-8 or ASCII. */
const nameOf = (bytes: Uint8Array) => utf8Decoder.decode(bytes);

function findEndOfDirectory(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - EOCD_SIZE - MAX_COMMENT);
  for (let at = view.byteLength - EOCD_SIZE; at >= lowest; at--) {
    if (view.getUint32(at, true) === EOCD) return at;
  }
  throw new ZipError('This is not a zip archive (it has no central directory).');
}

/** The entries of an archive's central directory, in their stored order. */
export function readZipDirectory(archive: Uint8Array): ZipDirectoryEntry[] {
  if (archive.byteLength < EOCD_SIZE) throw new ZipError('This is not a zip archive (it is too short).');
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const eocd = findEndOfDirectory(view);
  const disk = view.getUint16(eocd + 4, true);
  const directoryDisk = view.getUint16(eocd + 6, true);
  const onDisk = view.getUint16(eocd + 8, true);
  const count = view.getUint16(eocd + 10, true);
  const directorySize = view.getUint32(eocd + 12, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if ((eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR) || count === 0xffff) {
    throw new ZipError('Zip64 archives are not supported: make an ordinary zip (under 4 GB, 65,535 files).');
  }
  if (disk !== 0 || directoryDisk !== 0 || onDisk !== count) {
    throw new ZipError('Split (multi-part) zip archives are not supported: upload one archive.');
  }
  if (directoryOffset + directorySize > eocd) {
    throw new ZipError('The zip archive is damaged (its directory points past its end).');
  }
  const entries: ZipDirectoryEntry[] = [];
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || view.getUint32(at, true) !== CENTRAL) {
      throw new ZipError('The zip archive is damaged (a directory entry is missing).');
    }
    const madeBy = view.getUint16(at + 4, true) >> 8;
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const mode = view.getUint32(at + 38, true) >>> 16;
    const localOffset = view.getUint32(at + 42, true);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > eocd) throw new ZipError('The zip archive is damaged (a directory entry runs past its end).');
    const name = nameOf(archive.subarray(at + 46, at + 46 + nameLength));
    if (flags & 0x1) throw new ZipError(`"${name}" is encrypted: upload a zip without a password.`);
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) {
      throw new ZipError(
        'Zip64 archives are not supported: make an ordinary zip (under 4 GB, 65,535 files).',
      );
    }
    const type = madeBy === UNIX ? mode & S_IFMT : 0;
    const kind = type === S_IFLNK ? 'symlink' : name.endsWith('/') || type === S_IFDIR ? 'directory' : 'file';
    if (kind === 'file' && method !== 0 && method !== 8) {
      throw new ZipError(
        `"${name}" uses compression method ${method}; only stored and deflated entries are supported.`,
      );
    }
    const executable = kind === 'file' && madeBy === UNIX && (mode & 0o111) !== 0;
    entries.push({ name, kind, executable, method, crc, compressedSize, size, localOffset });
    at = end;
  }
  return entries;
}

/** The compressed bytes of an entry, found through its local header. */
function bodyOf(archive: Uint8Array, entry: ZipDirectoryEntry): Uint8Array {
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const local = entry.localOffset;
  if (local + 30 > archive.byteLength || view.getUint32(local, true) !== LOCAL) {
    throw new ZipError(`The zip archive is damaged ("${entry.name}" has no local header).`);
  }
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  if (start + entry.compressedSize > archive.byteLength) {
    throw new ZipError(`The zip archive is damaged ("${entry.name}" is cut short).`);
  }
  return archive.subarray(start, start + entry.compressedSize);
}

/**
 * Inflates at most `limit` bytes. Reading stops as soon as the output passes the limit, so an entry
 * that lies about its size costs no more than the limit.
 */
async function inflateRaw(body: Uint8Array, limit: number, name: string): Promise<Uint8Array> {
  const stream = new Blob([new Uint8Array(body)])
    .stream()
    .pipeThrough(new DecompressionStream('deflate-raw'));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        throw new ZipError(`"${name}" unpacks to more than it declares: the archive is refused.`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ZipError) throw err;
    throw new ZipError(`"${name}" cannot be unpacked: the archive is damaged.`);
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** The bytes of a file entry, checked against its declared size and CRC. */
export async function readZipEntry(archive: Uint8Array, entry: ZipDirectoryEntry): Promise<Uint8Array> {
  const body = bodyOf(archive, entry);
  const data = entry.method === 0 ? body : await inflateRaw(body, entry.size, entry.name);
  if (data.byteLength !== entry.size) {
    throw new ZipError(`The zip archive is damaged ("${entry.name}" is not the size it declares).`);
  }
  if (crc32(data) !== entry.crc) {
    throw new ZipError(`The zip archive is damaged ("${entry.name}" fails its checksum).`);
  }
  return data;
}
