/**
 * Files of a project: content-addressed blobs (sha-256), one version row per change (path, version, step,
 * branch), and a materialised head (the current tree of each branch).
 *
 * Why the cost of a step does not grow with the project: a step reads and writes single rows of the head
 * by primary key and appends only the versions it changed. Whole-tree work (listing, snapshots, a new
 * branch) happens only when asked for.
 *
 * Versions carry a global `rev` (increasing with every change on any branch). A branch forked at a step
 * sees its parent's versions up to the parent's rev at that step; so the tree of any branch at any step
 * is "the latest version per path among its lineage's versions up to a rev".
 */
import type { FileChange } from '../../protocol.ts';
import type { StagedWrite } from '../../core/journal.ts';
import type { FileInfo } from '../../core/pipeline.ts';
import type { Sql } from './sql.ts';

/** Largest file a step or a user may write (a SQLite value must stay well under 2 MB). */
export const MAX_FILE_BYTES = 1024 * 1024;

/** A version of a file. */
export interface FileVersion {
  path: string;
  version: number;
  /** Null: the file was deleted in this version. */
  hash: string | null;
  size: number;
  rev: number;
  branch: number;
  stepId: number | null;
  author: 'agent' | 'user';
  at: number;
  /** The executable bit (git's mode 100755). */
  executable: boolean;
}

interface VersionRow {
  [key: string]: string | number | null;
  path: string;
  version: number;
  hash: string | null;
  size: number;
  rev: number;
  branch: number;
  step_id: number | null;
  author: string;
  at: number;
  executable: number;
}

function toVersion(r: VersionRow): FileVersion {
  return {
    path: r.path,
    version: r.version,
    hash: r.hash,
    size: r.size,
    rev: r.rev,
    branch: r.branch,
    stepId: r.step_id,
    author: r.author === 'user' ? 'user' : 'agent',
    at: r.at,
    executable: r.executable === 1,
  };
}

const encoder = new TextEncoder();

/** Bytes of a base64 text (without decoding it). */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

/**
 * A blob's address. A binary blob's text is its base64, hashed with a prefix: the same characters as a
 * text file's are another blob.
 */
function blobHash(content: string, binary: boolean): Promise<string> {
  return sha256Hex(binary ? `binary\0${content}` : content);
}

/** A file's stored content: text, or base64 when `binary`. */
export interface BlobEntry {
  content: string;
  binary: boolean;
}

/** sha-256 of a text, as hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** One segment of a branch's lineage: its versions on `branch` up to `maxRev`. */
interface LineageSegment {
  branch: number;
  maxRev: number;
}

export class FileStore {
  private readonly sql: Sql;

  constructor(sql: Sql) {
    this.sql = sql;
  }

  /** Hashes writes outside the transaction (hashing is asynchronous). */
  async stage(writes: { path: string; content: string | null; binary?: boolean }[]): Promise<StagedWrite[]> {
    return Promise.all(
      writes.map(async (w) => {
        if (w.content === null) return { ...w, hash: null, size: 0 };
        const binary = w.binary === true;
        const size = binary ? base64Bytes(w.content) : encoder.encode(w.content).length;
        if (size > MAX_FILE_BYTES)
          throw new Error(`${w.path} is ${size} bytes; the limit is ${MAX_FILE_BYTES}`);
        return { ...w, hash: await blobHash(w.content, binary), size };
      }),
    );
  }

  /** Applies staged writes as new versions on `branch`; unchanged contents are skipped. */
  apply(
    branch: number,
    writes: StagedWrite[],
    stepId: number | null,
    author: 'agent' | 'user',
    at: number,
  ): FileChange[] {
    const changes: FileChange[] = [];
    for (const w of writes) {
      const head = this.sql.one<{ version: number; hash: string | null; executable: number }>(
        'SELECT version, hash, executable FROM files_head WHERE branch = ? AND path = ?',
        branch,
        w.path,
      );
      // A write that does not say keeps the bit (an agent's edit of a script keeps it runnable).
      const executable = w.hash !== null && (w.executable ?? head?.executable === 1);
      const sameMode = (head?.executable === 1) === executable;
      if ((head?.hash === w.hash && sameMode) || (!head && w.hash === null)) continue;
      if (w.hash !== null && w.content !== null) {
        this.sql.run(
          'INSERT INTO blobs (hash, content, size, binary) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING',
          w.hash,
          w.content,
          w.size,
          w.binary ? 1 : 0,
        );
      }
      const version = (head?.version ?? 0) + 1;
      const row = this.sql.one<{ rev: number }>(
        `INSERT INTO file_versions (branch, path, version, hash, size, step_id, author, at, executable)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rev`,
        branch,
        w.path,
        version,
        w.hash,
        w.size,
        stepId,
        author,
        at,
        executable ? 1 : 0,
      )!;
      // Deleted files keep a head row without a hash, so a re-created file continues the numbering.
      this.sql.run(
        `INSERT INTO files_head (branch, path, rev, version, hash, size, executable) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (branch, path) DO UPDATE SET rev = excluded.rev, version = excluded.version,
           hash = excluded.hash, size = excluded.size, executable = excluded.executable`,
        branch,
        w.path,
        row.rev,
        version,
        w.hash,
        w.size,
        executable ? 1 : 0,
      );
      const op = w.hash === null ? 'delete' : head?.hash ? 'update' : 'create';
      changes.push({ path: w.path, version, op, size: w.size });
    }
    return changes;
  }

  /** The text of a file of a branch's current tree (null: no such file, or a binary one). */
  read(branch: number, path: string): string | null {
    const entry = this.entry(branch, path);
    return entry && !entry.binary ? entry.content : null;
  }

  /** The content of a file of a branch's current tree, text or base64, and its executable bit. */
  entry(branch: number, path: string): (BlobEntry & { executable: boolean }) | null {
    const row = this.sql.one<{ content: string; binary: number; executable: number }>(
      `SELECT b.content, b.binary, h.executable FROM files_head h JOIN blobs b ON b.hash = h.hash
       WHERE h.branch = ? AND h.path = ?`,
      branch,
      path,
    );
    return row ? { content: row.content, binary: row.binary === 1, executable: row.executable === 1 } : null;
  }

  /** The head entry of a file (null when it does not exist). */
  head(branch: number, path: string): { version: number; hash: string; size: number } | null {
    const row = this.sql.one<{ version: number; hash: string | null; size: number }>(
      'SELECT version, hash, size FROM files_head WHERE branch = ? AND path = ?',
      branch,
      path,
    );
    return row && row.hash !== null ? { version: row.version, hash: row.hash, size: row.size } : null;
  }

  /** The current tree of a branch. */
  list(branch: number): FileInfo[] {
    return this.sql
      .all<{ path: string; version: number; size: number; binary: number }>(
        `SELECT h.path, h.version, h.size, b.binary FROM files_head h JOIN blobs b ON b.hash = h.hash
         WHERE h.branch = ? ORDER BY h.path`,
        branch,
      )
      .map(({ binary, ...file }) => (binary === 1 ? { ...file, binary: true } : file));
  }

  /** A blob's content: text, or base64 of a binary file (see `blobEntry`). */
  blob(hash: string): string | null {
    return this.blobEntry(hash)?.content ?? null;
  }

  blobEntry(hash: string): BlobEntry | null {
    const row = this.sql.one<{ content: string; binary: number }>(
      'SELECT content, binary FROM blobs WHERE hash = ?',
      hash,
    );
    return row ? { content: row.content, binary: row.binary === 1 } : null;
  }

  /**
   * Paths of `branch` changed after `rev`, each with whether it is now deleted. Reads only the versions
   * written since (an index range), not the tree.
   */
  changedSince(branch: number, rev: number): { path: string; deleted: boolean }[] {
    return this.sql
      .all<{ path: string }>(
        'SELECT DISTINCT path FROM file_versions WHERE branch = ? AND rev > ? ORDER BY path',
        branch,
        rev,
      )
      .map(({ path }) => ({ path, deleted: this.head(branch, path) === null }));
  }

  /** The rev of the latest change on any branch (0 before any). */
  currentRev(): number {
    return this.sql.one<{ rev: number | null }>('SELECT max(rev) AS rev FROM file_versions')?.rev ?? 0;
  }

  /** Lineage of `branch` seen at `maxRev`: the branch itself, then each ancestor up to its fork point. */
  lineage(branch: number, maxRev = Number.MAX_SAFE_INTEGER): LineageSegment[] {
    const segments: LineageSegment[] = [];
    let current: number | null = branch;
    let limit = maxRev;
    while (current !== null) {
      segments.push({ branch: current, maxRev: limit });
      const row: { parent: number | null; fork_rev: number | null } | undefined = this.sql.one(
        'SELECT parent, fork_rev FROM branches WHERE id = ?',
        current,
      );
      if (!row || row.parent === null) break;
      limit = Math.min(limit, row.fork_rev ?? 0);
      current = row.parent;
    }
    return segments;
  }

  /** Latest version per path of a lineage (deleted files included, with a null hash). */
  private latestIn(segments: LineageSegment[], path?: string): Map<string, FileVersion> {
    const latest = new Map<string, FileVersion>();
    for (const seg of segments) {
      const rows = path
        ? this.sql.all<VersionRow>(
            'SELECT * FROM file_versions WHERE path = ? AND branch = ? AND rev <= ? ORDER BY rev',
            path,
            seg.branch,
            seg.maxRev,
          )
        : this.sql.all<VersionRow>(
            'SELECT * FROM file_versions WHERE branch = ? AND rev <= ? ORDER BY rev',
            seg.branch,
            seg.maxRev,
          );
      for (const r of rows) {
        const known = latest.get(r.path);
        if (!known || known.rev < r.rev) latest.set(r.path, toVersion(r));
      }
    }
    return latest;
  }

  /** The tree of `branch` as it was at `rev` (live files only), sorted by path. */
  treeAt(branch: number, rev: number): FileVersion[] {
    return [...this.latestIn(this.lineage(branch, rev)).values()]
      .filter((v) => v.hash !== null)
      .sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** Every version of a file visible from `branch`, newest first. */
  history(branch: number, path: string): FileVersion[] {
    const versions: FileVersion[] = [];
    for (const seg of this.lineage(branch)) {
      versions.push(
        ...this.sql
          .all<VersionRow>(
            'SELECT * FROM file_versions WHERE path = ? AND branch = ? AND rev <= ? ORDER BY rev DESC',
            path,
            seg.branch,
            seg.maxRev,
          )
          .map(toVersion),
      );
    }
    return versions.sort((a, b) => b.rev - a.rev);
  }

  /** A version of a file visible from `branch`. */
  version(branch: number, path: string, version: number): FileVersion | null {
    return this.history(branch, path).find((v) => v.version === version) ?? null;
  }

  /** The versions a step wrote. */
  changesOf(stepId: number): FileVersion[] {
    return this.sql
      .all<VersionRow>('SELECT * FROM file_versions WHERE step_id = ? ORDER BY path', stepId)
      .map(toVersion);
  }

  /** Creates the head of a new branch from the tree of `parent` at `rev` (whole-tree work, once). */
  fork(branch: number, parent: number, rev: number): void {
    for (const v of this.latestIn(this.lineage(parent, rev)).values()) {
      this.sql.run(
        'INSERT INTO files_head (branch, path, rev, version, hash, size, executable) VALUES (?, ?, ?, ?, ?, ?, ?)',
        branch,
        v.path,
        v.rev,
        v.version,
        v.hash,
        v.size,
        v.executable ? 1 : 0,
      );
    }
  }
}
