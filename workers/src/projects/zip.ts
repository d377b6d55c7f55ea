import { utf8 } from '../crypto/bytes.ts';
import { crc32 } from './crc32.ts';

/** One file of an archive. */
export interface ZipEntry {
  /** Forward slashes, no leading slash; UTF-8 is fine. */
  path: string;
  data: Uint8Array;
  /** Stored with mode rwxr-xr-x (unzip restores it): a script, `gradlew`. */
  executable?: boolean;
}

/** Files smaller than this are stored: deflating them gains nothing worth the CPU. */
const MIN_DEFLATE_BYTES = 128;
const MAX_ENTRIES = 0xffff;
const MAX_SIZE = 0xffffffff;

async function deflateRaw(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** MS-DOS date and time (what zip stores), from a UTC time; zip has no time zones. */
function dosDateTime(at: Date): { time: number; date: number } {
  const year = Math.min(Math.max(at.getUTCFullYear(), 1980), 2107);
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

/**
 * Build a zip archive in memory (PKZIP 2.0: stored or deflated entries, UTF-8 names, no zip64).
 * Each entry is deflated with CompressionStream('deflate-raw') when that makes it smaller, else stored.
 */
export async function buildZip(entries: ZipEntry[], modified: Date): Promise<Uint8Array<ArrayBuffer>> {
  if (entries.length > MAX_ENTRIES)
    throw new Error(`a zip holds at most ${MAX_ENTRIES} entries without zip64`);
  const { time, date } = dosDateTime(modified);
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;

  for (const entry of entries) {
    const name = utf8(entry.path);
    const data = entry.data;
    const crc = crc32(data);
    let method = 0;
    let body: Uint8Array = data;
    if (data.length >= MIN_DEFLATE_BYTES) {
      const deflated = await deflateRaw(new Uint8Array(data));
      if (deflated.length < data.length) {
        method = 8;
        body = deflated;
      }
    }
    if (data.length > MAX_SIZE || offset > MAX_SIZE)
      throw new Error('the archive is too large for zip without zip64');

    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true); // local file header
    lv.setUint16(4, 20, true); // version needed: 2.0
    lv.setUint16(6, 0x0800, true); // flags: names are UTF-8
    lv.setUint16(8, method, true);
    lv.setUint16(10, time, true);
    lv.setUint16(12, date, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, 0, true); // no extra field
    local.set(name, 30);

    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true); // central directory header
    cv.setUint16(4, (3 << 8) | 20, true); // made by: Unix, 2.0 (so the mode below applies)
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0800, true);
    cv.setUint16(10, method, true);
    cv.setUint16(12, time, true);
    cv.setUint16(14, date, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, name.length, true);
    // extra length, comment length, disk number, internal attributes: all zero
    // External attributes: a regular file, rw-r--r-- (rwxr-xr-x when executable).
    cv.setUint32(38, ((entry.executable ? 0o100755 : 0o100644) << 16) >>> 0, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);

    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }

  const centralSize = centrals.reduce((sum, c) => sum + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true); // end of central directory
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);

  const out = new Uint8Array(offset + centralSize + end.length);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
