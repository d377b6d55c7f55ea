/**
 * Git's objects as bytes: blobs, trees and commits encoded exactly as git encodes them, so their ids
 * (SHA-1 of `<type> <size>\0<body>`) are the ids the stock git client computes. Pure: no storage.
 */
import { fromUtf8, toHex, utf8 } from '../crypto/bytes.ts';

/** The object types a project's history uses (annotated tags are not written). */
export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

/** An object's id: 40 lowercase hex digits. */
export type ObjectId = string;

/** An object as it travels in a pack: its type and its body (without git's header). */
export interface GitObject {
  type: ObjectType;
  body: Uint8Array;
}

/** The hex id of an object (SHA-1 over git's header and the body). */
export async function objectId(type: ObjectType, body: Uint8Array): Promise<ObjectId> {
  const header = utf8(`${type} ${body.length}\0`);
  const whole = new Uint8Array(header.length + body.length);
  whole.set(header, 0);
  whole.set(body, header.length);
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-1', whole)));
}

/** Hex id to its 20 raw bytes (as a tree entry carries it). */
export function idBytes(id: ObjectId): Uint8Array {
  if (!/^[0-9a-f]{40}$/.test(id)) throw new Error(`not an object id: ${id}`);
  const bytes = new Uint8Array(20);
  for (let i = 0; i < 20; i++) bytes[i] = parseInt(id.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * File modes git records: a file, an executable, a directory, a symbolic link, and a submodule (a
 * "gitlink": the id of a commit in another repository, whose objects this one does not have).
 */
export type EntryMode = '100644' | '100755' | '40000' | '120000' | '160000';

/** One entry of a tree: a name (one path segment) and the object it names. */
export interface TreeEntry {
  mode: EntryMode;
  name: string;
  id: ObjectId;
}

/**
 * Git's order of a tree's entries: by name as bytes, a directory compared as if its name ended in `/`.
 * A tree in any other order gets a different id, and `git fsck` calls it broken.
 */
function sortKey(entry: TreeEntry): string {
  return entry.mode === '40000' ? `${entry.name}/` : entry.name;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** A tree's body from its entries (sorted here, whatever their order). */
export function encodeTree(entries: readonly TreeEntry[]): Uint8Array {
  const keyed = entries.map((entry) => ({ entry, key: utf8(sortKey(entry)) }));
  keyed.sort((a, b) => compareBytes(a.key, b.key));
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const { entry } of keyed) {
    if (entry.name === '' || entry.name.includes('/') || entry.name.includes('\0')) {
      throw new Error(`not a tree entry name: ${JSON.stringify(entry.name)}`);
    }
    const head = utf8(`${entry.mode} ${entry.name}\0`);
    parts.push(head, idBytes(entry.id));
    length += head.length + 20;
  }
  return concat(parts, length);
}

/** A tree's entries from its body. */
export function parseTree(body: Uint8Array): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const nul = body.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > body.length) throw new Error('a truncated tree');
    const mode = fromUtf8(body.subarray(at, space));
    const name = fromUtf8(body.subarray(space + 1, nul));
    entries.push({ mode: normalMode(mode), name, id: toHex(body.subarray(nul + 1, nul + 21)) });
    at = nul + 21;
  }
  return entries;
}

function normalMode(mode: string): EntryMode {
  // Old git wrote `100664` for plain files; anything else unknown is treated as a plain file.
  if (mode === '40000' || mode === '100755' || mode === '120000' || mode === '160000') return mode;
  return '100644';
}

/** Who made a commit, and when (seconds since the epoch, with their time zone's offset). */
export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  time: number;
  /** Minutes east of UTC. */
  offsetMinutes: number;
}

/** A commit's fields. `message` is the whole message, trailers included. */
export interface Commit {
  tree: ObjectId;
  parents: ObjectId[];
  author: Signature;
  committer: Signature;
  message: string;
}

/** A name or email as git allows it in a signature: no angle brackets or line breaks. */
function clean(text: string): string {
  return text.replace(/[<>\n\r\0]/g, '').trim();
}

function formatSignature(s: Signature): string {
  const sign = s.offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(s.offsetMinutes);
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${clean(s.name) || 'unknown'} <${clean(s.email)}> ${Math.floor(s.time)} ${zone}`;
}

function parseSignature(text: string): Signature {
  const match = /^(.*) <(.*)> (\d+) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!match) throw new Error(`not a signature: ${text}`);
  const offset = Number(match[5]) * 60 + Number(match[6]);
  return {
    name: match[1]!,
    email: match[2]!,
    time: Number(match[3]),
    offsetMinutes: match[4] === '-' ? -offset : offset,
  };
}

/** A commit's body. The message gets the one trailing newline git writes. */
export function encodeCommit(commit: Commit): Uint8Array {
  const lines = [`tree ${commit.tree}`];
  for (const parent of commit.parents) lines.push(`parent ${parent}`);
  lines.push(`author ${formatSignature(commit.author)}`);
  lines.push(`committer ${formatSignature(commit.committer)}`);
  const message = commit.message.endsWith('\n') ? commit.message : `${commit.message}\n`;
  return utf8(`${lines.join('\n')}\n\n${message}`);
}

/** A commit's fields from its body (extra headers such as `gpgsig` are skipped). */
export function parseCommit(body: Uint8Array): Commit {
  const text = fromUtf8(body);
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? '' : text.slice(split + 2);
  let tree = '';
  const parents: ObjectId[] = [];
  let author: Signature | undefined;
  let committer: Signature | undefined;
  for (const line of head.split('\n')) {
    if (line.startsWith('tree ')) tree = line.slice(5);
    else if (line.startsWith('parent ')) parents.push(line.slice(7));
    else if (line.startsWith('author ')) author = parseSignature(line.slice(7));
    else if (line.startsWith('committer ')) committer = parseSignature(line.slice(10));
  }
  if (!tree || !author || !committer) throw new Error('a commit without its tree, author or committer');
  return { tree, parents, author, committer, message };
}

/** Joins byte arrays whose total length is known. */
export function concat(parts: readonly Uint8Array[], length?: number): Uint8Array {
  const total = length ?? parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
