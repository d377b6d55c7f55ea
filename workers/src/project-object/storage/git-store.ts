/**
 * The project's git repository over the Durable Object's SQLite: objects, branch heads and refs, and
 * the reads the history writer (../../git/history.ts) needs from the step log and the files.
 *
 * Why blobs are not stored as objects: a file's content is already in `blobs` (keyed by its sha-256);
 * `git_blobs` maps it to its git id, and a blob's body is derived from that row when it is read.
 * Objects brought in from elsewhere (a pack from a remote) are kept whole in `git_objects`.
 */
import { fromBase64, toBase64, utf8 } from '../../crypto/bytes.ts';
import { objectId, type GitObject, type ObjectId, type ObjectType } from '../../git/object.ts';
import type { ObjectStore } from '../../git/store.ts';
import type { Sql } from './sql.ts';

/** Where a branch's history stands: its latest commit (null: none yet), its tree, what it covers. */
export interface GitHead {
  branch: number;
  commitId: ObjectId | null;
  treeId: ObjectId;
  /** The file rev the head's tree is at. */
  rev: number;
  /** The latest step the head covers (0: none). */
  stepId: number;
}

/** A branch of the step log, as the history needs it. */
export interface BranchInfo {
  id: number;
  parent: number | null;
  forkStep: number | null;
  forkRev: number | null;
}

/** A done step, as its commit needs it. */
export interface DoneStep {
  id: number;
  agent: string;
  title: string;
  taskId: string | null;
  taskTitle: string | null;
  revAfter: number;
  endedAt: number;
}

/** A user's edit (a file version written outside any step). */
export interface UserEdit {
  /** The last rev of the save. */
  rev: number;
  /** The paths it wrote, sorted. */
  paths: string[];
  at: number;
}

/** One commit's writes, made at once. */
export interface CommitWrite {
  branch: number;
  /** The head this commit was built on: nothing is written when the head moved meanwhile. */
  base: GitHead;
  head: GitHead;
  commit: { id: ObjectId; body: Uint8Array; stepId: number | null };
  trees: { id: ObjectId; body: Uint8Array }[];
  blobs: { hash: string; id: ObjectId }[];
}

const TYPES: readonly string[] = ['blob', 'tree', 'commit', 'tag'] satisfies ObjectType[];

/** A `blobs` row's content as bytes: text as UTF-8, a binary file's base64 decoded. */
function blobBytes(row: { content: string; binary: number }): Uint8Array {
  return row.binary ? fromBase64(row.content) : utf8(row.content);
}

export class GitStore implements ObjectStore {
  private readonly sql: Sql;

  constructor(sql: Sql) {
    this.sql = sql;
  }

  // -- objects --------------------------------------------------------------------------------------

  get(id: ObjectId): Promise<GitObject | null> {
    return Promise.resolve(this.getSync(id));
  }

  /** An object by id, read at once (the store is synchronous underneath). */
  getSync(id: ObjectId): GitObject | null {
    const row = this.sql.one<{ type: string; body: string }>(
      'SELECT type, body FROM git_objects WHERE id = ?',
      id,
    );
    if (row && TYPES.includes(row.type)) return { type: row.type as ObjectType, body: fromBase64(row.body) };
    const blob = this.sql.one<{ content: string; binary: number }>(
      'SELECT b.content AS content, b.binary AS binary FROM git_blobs g JOIN blobs b ON b.hash = g.hash WHERE g.id = ?',
      id,
    );
    return blob ? { type: 'blob', body: blobBytes(blob) } : null;
  }

  has(id: ObjectId): Promise<boolean> {
    return Promise.resolve(
      this.sql.one('SELECT 1 AS x FROM git_objects WHERE id = ?', id) !== undefined ||
        this.sql.one('SELECT 1 AS x FROM git_blobs WHERE id = ?', id) !== undefined,
    );
  }

  async put(object: GitObject): Promise<ObjectId> {
    const id = await objectId(object.type, object.body);
    this.putSync(id, object);
    return id;
  }

  private putSync(id: ObjectId, object: GitObject): void {
    this.sql.run(
      'INSERT INTO git_objects (id, type, body) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
      id,
      object.type,
      toBase64(object.body),
    );
  }

  /** The git id of a file content already stored under its sha-256 (null: not mapped yet). */
  blobIdOf(hash: string): ObjectId | null {
    return this.sql.one<{ id: string }>('SELECT id FROM git_blobs WHERE hash = ?', hash)?.id ?? null;
  }

  /** A stored file content by its sha-256, as the bytes of its git blob (a binary file's decoded). */
  content(hash: string): Uint8Array | null {
    const row = this.sql.one<{ content: string; binary: number }>(
      'SELECT content, binary FROM blobs WHERE hash = ?',
      hash,
    );
    return row ? blobBytes(row) : null;
  }

  // -- heads and refs -------------------------------------------------------------------------------

  head(branch: number): GitHead | null {
    const row = this.sql.one<{ commit_id: string | null; tree_id: string; rev: number; step_id: number }>(
      'SELECT commit_id, tree_id, rev, step_id FROM git_heads WHERE branch = ?',
      branch,
    );
    return row
      ? { branch, commitId: row.commit_id, treeId: row.tree_id, rev: row.rev, stepId: row.step_id }
      : null;
  }

  /** Every branch's head that has a commit. */
  heads(): GitHead[] {
    return this.sql
      .all<{ branch: number; commit_id: string; tree_id: string; rev: number; step_id: number }>(
        'SELECT branch, commit_id, tree_id, rev, step_id FROM git_heads WHERE commit_id IS NOT NULL ORDER BY branch',
      )
      .map((r) => ({
        branch: r.branch,
        commitId: r.commit_id,
        treeId: r.tree_id,
        rev: r.rev,
        stepId: r.step_id,
      }));
  }

  /** Starts a branch's history (its empty start, or the commit it forked at). */
  startHead(head: GitHead, emptyTree: { id: ObjectId; body: Uint8Array }): void {
    this.sql.tx(() => {
      this.putSync(emptyTree.id, { type: 'tree', body: emptyTree.body });
      this.sql.run(
        `INSERT INTO git_heads (branch, commit_id, tree_id, rev, step_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (branch) DO NOTHING`,
        head.branch,
        head.commitId,
        head.treeId,
        head.rev,
        head.stepId,
      );
    });
  }

  /** Writes one commit with its new trees and blob ids and moves the head; false if the head moved. */
  writeCommit(write: CommitWrite): boolean {
    return this.sql.tx(() => {
      const now = this.head(write.branch);
      if (!now || now.commitId !== write.base.commitId || now.rev !== write.base.rev) return false;
      if (now.stepId !== write.base.stepId) return false;
      for (const blob of write.blobs) {
        this.sql.run(
          'INSERT INTO git_blobs (hash, id) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING',
          blob.hash,
          blob.id,
        );
      }
      for (const tree of write.trees) this.putSync(tree.id, { type: 'tree', body: tree.body });
      this.putSync(write.commit.id, { type: 'commit', body: write.commit.body });
      this.sql.run(
        'INSERT INTO git_commits (id, branch, step_id, rev) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
        write.commit.id,
        write.branch,
        write.commit.stepId,
        write.head.rev,
      );
      this.sql.run(
        'UPDATE git_heads SET commit_id = ?, tree_id = ?, rev = ?, step_id = ? WHERE branch = ?',
        write.head.commitId,
        write.head.treeId,
        write.head.rev,
        write.head.stepId,
        write.branch,
      );
      return true;
    });
  }

  /** The commit a step made (null: none yet). */
  commitOfStep(stepId: number): ObjectId | null {
    return (
      this.sql.one<{ id: string }>('SELECT id FROM git_commits WHERE step_id = ? LIMIT 1', stepId)?.id ?? null
    );
  }

  /** The second parent of a step's commit (a pull's: the remote's tip), or null. */
  mergeParentOf(stepId: number): ObjectId | null {
    return (
      this.sql.one<{ parent: string }>('SELECT parent FROM git_merges WHERE step_id = ?', stepId)?.parent ??
      null
    );
  }

  /** Records that a step's commit merges `parent` (in the step's transaction). */
  setMergeParent(stepId: number, parent: ObjectId): void {
    this.sql.run(
      'INSERT INTO git_merges (step_id, parent) VALUES (?, ?) ON CONFLICT (step_id) DO UPDATE SET parent = excluded.parent',
      stepId,
      parent,
    );
  }

  /** Refs other than the branches' (a remote's, for instance), by full name. */
  extraRefs(): { name: string; id: ObjectId }[] {
    return this.sql
      .all<{ name: string; target: string }>('SELECT name, target FROM git_refs ORDER BY name')
      .map((r) => ({ name: r.name, id: r.target }));
  }

  /** Sets (or, with null, deletes) a ref that is not a branch's head. */
  setExtraRef(name: string, id: ObjectId | null): void {
    if (id === null) this.sql.run('DELETE FROM git_refs WHERE name = ?', name);
    else
      this.sql.run(
        'INSERT INTO git_refs (name, target) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET target = excluded.target',
        name,
        id,
      );
  }

  // -- the step log and the files, as the history reads them ---------------------------------------

  branches(): BranchInfo[] {
    return this.sql
      .all<{ id: number; parent: number | null; fork_step: number | null; fork_rev: number | null }>(
        'SELECT id, parent, fork_step, fork_rev FROM branches ORDER BY id',
      )
      .map((r) => ({ id: r.id, parent: r.parent, forkStep: r.fork_step, forkRev: r.fork_rev }));
  }

  /** The first done step of `branch` after `afterStepId` (the step index's range). */
  nextDoneStep(branch: number, afterStepId: number): DoneStep | null {
    const row = this.sql.one<{
      id: number;
      agent: string;
      title: string;
      task_id: string | null;
      task_title: string | null;
      rev_after: number | null;
      ended_at: number | null;
      created_at: number;
    }>(
      `SELECT id, agent, title, task_id, task_title, rev_after, ended_at, created_at FROM steps
       WHERE branch = ? AND status = 'done' AND id > ? ORDER BY id LIMIT 1`,
      branch,
      afterStepId,
    );
    if (!row) return null;
    return {
      id: row.id,
      agent: row.agent,
      title: row.title,
      taskId: row.task_id,
      taskTitle: row.task_title,
      revAfter: row.rev_after ?? 0,
      endedAt: row.ended_at ?? row.created_at,
    };
  }

  /**
   * The first save of a user on `branch` after rev `after` (and up to `upTo`): the user's versions
   * written by one save (one write, one time: a saved file, or every file of an import), up to the next
   * version of a step or of another save.
   */
  firstUserEdit(branch: number, after: number, upTo = Number.MAX_SAFE_INTEGER): UserEdit | null {
    const first = this.sql.one<{ rev: number; at: number }>(
      `SELECT rev, at FROM file_versions
       WHERE branch = ? AND rev > ? AND rev <= ? AND step_id IS NULL ORDER BY rev LIMIT 1`,
      branch,
      after,
      upTo,
    );
    if (!first) return null;
    const next = this.sql.one<{ rev: number | null }>(
      `SELECT MIN(rev) AS rev FROM file_versions
       WHERE branch = ? AND rev > ? AND rev <= ? AND (step_id IS NOT NULL OR at <> ?)`,
      branch,
      first.rev,
      upTo,
      first.at,
    )?.rev;
    const last = next == null ? upTo : next - 1;
    const saved = this.sql.all<{ path: string; rev: number }>(
      `SELECT path, MAX(rev) AS rev FROM file_versions
       WHERE branch = ? AND rev >= ? AND rev <= ? GROUP BY path ORDER BY path`,
      branch,
      first.rev,
      last,
    );
    return {
      rev: Math.max(...saved.map((row) => row.rev)),
      paths: saved.map((row) => row.path),
      at: first.at,
    };
  }

  /**
   * The paths of `branch` changed in the revs (after, upTo], each with its latest hash (null: deleted)
   * and executable bit.
   */
  changesIn(
    branch: number,
    after: number,
    upTo: number,
  ): Map<string, { hash: string | null; executable: boolean }> {
    const latest = new Map<string, { hash: string | null; executable: boolean }>();
    for (const row of this.sql.all<{ path: string; hash: string | null; executable: number }>(
      'SELECT path, hash, executable FROM file_versions WHERE branch = ? AND rev > ? AND rev <= ? ORDER BY rev',
      branch,
      after,
      upTo,
    )) {
      latest.set(row.path, { hash: row.hash, executable: row.executable === 1 });
    }
    return latest;
  }
}
