/**
 * The project's files as the API shows them: the tree of a branch, a file at a version, a user's edit
 * saved as a new version (the agents read it like any other), the history of a file, the diff between two
 * versions, and what a step changed.
 */
import { diffText, type FileDiff } from '../core/diff.ts';
import { normalizePath } from '../core/paths.ts';
import { refusal, type Outcome } from '../core/refusal.ts';
import type { SandboxFile } from '../core/ports.ts';
import type { FileChange } from '../protocol.ts';
import type { ImportedFile } from '../projects/import-tree.ts';
import type { LiveSink } from './sink.ts';
import type { ImportRecord } from './storage/meta.ts';
import type { FileStore, FileVersion } from './storage/files.ts';
import type { SqlJournal } from './storage/journal.ts';

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });

export interface TreeEntry {
  path: string;
  version: number;
  size: number;
  /** A binary file (absent: text). */
  binary?: boolean;
}

export interface FileContent {
  path: string;
  version: number;
  branch: number;
  content: string;
  size: number;
  hash: string;
  stepId: number | null;
  author: 'agent' | 'user';
  /** A binary file: `content` is its base64 (shown as binary, not edited as text). */
  binary?: boolean;
}

export interface VersionInfo {
  version: number;
  branch: number;
  size: number;
  deleted: boolean;
  stepId: number | null;
  author: 'agent' | 'user';
  at: number;
}

export interface StepChange {
  path: string;
  version: number;
  op: FileChange['op'];
  diff: FileDiff;
}

export class FilesApi {
  private readonly files: FileStore;
  private readonly journal: SqlJournal;
  private readonly sink: LiveSink;

  constructor(files: FileStore, journal: SqlJournal, sink: LiveSink) {
    this.files = files;
    this.journal = journal;
    this.sink = sink;
  }

  private branchOr(branch: number | undefined): number {
    return branch ?? this.journal.run().branch;
  }

  tree(branch?: number): Outcome<{ branch: number; files: TreeEntry[] }> {
    const b = this.branchOr(branch);
    return ok({ branch: b, files: this.files.list(b) });
  }

  /** Every file of the current tree with its content (base64 when `binary`): what a download holds. */
  currentFiles(): SandboxFile[] {
    const branch = this.journal.run().branch;
    return this.files.treeAt(branch, this.files.currentRev()).map((v) => {
      const blob = this.files.blobEntry(v.hash!);
      const file: SandboxFile = blob?.binary
        ? { path: v.path, content: blob.content, binary: true }
        : { path: v.path, content: blob?.content ?? '' };
      return v.executable ? { ...file, executable: true } : file;
    });
  }

  read(path: string, version?: number, branch?: number): Outcome<FileContent> {
    const normal = normalizePath(path);
    if (!normal) return refusal('bad_request', 'Not an acceptable file path.', 'path');
    const b = this.branchOr(branch);
    const v =
      version === undefined
        ? (this.files.history(b, normal)[0] ?? null)
        : this.files.version(b, normal, version);
    if (!v || v.hash === null)
      return refusal('not_found', version === undefined ? 'No such file.' : 'No such version.');
    return ok(this.contentOf(v));
  }

  private contentOf(v: FileVersion): FileContent {
    const blob = this.files.blobEntry(v.hash!);
    return {
      ...(blob?.binary ? { binary: true } : {}),
      path: v.path,
      version: v.version,
      branch: v.branch,
      content: blob?.content ?? '',
      size: v.size,
      hash: v.hash!,
      stepId: v.stepId,
      author: v.author,
    };
  }

  history(path: string, branch?: number): Outcome<{ path: string; versions: VersionInfo[] }> {
    const normal = normalizePath(path);
    if (!normal) return refusal('bad_request', 'Not an acceptable file path.', 'path');
    const versions = this.files.history(this.branchOr(branch), normal);
    if (versions.length === 0) return refusal('not_found', 'No such file.');
    return ok({
      path: normal,
      versions: versions.map((v) => ({
        version: v.version,
        branch: v.branch,
        size: v.size,
        deleted: v.hash === null,
        stepId: v.stepId,
        author: v.author,
        at: v.at,
      })),
    });
  }

  /** Saves a user's edit on the current branch; `baseVersion` guards against overwriting a newer one. */
  async save(path: string, content: string, baseVersion?: number): Promise<Outcome<FileChange>> {
    const normal = normalizePath(path);
    if (!normal) return refusal('bad_request', 'Not an acceptable file path.', 'path');
    let staged;
    try {
      staged = await this.files.stage([{ path: normal, content }]);
    } catch (err) {
      return refusal(
        'bad_request',
        err instanceof Error ? err.message : 'The file cannot be saved.',
        'content',
      );
    }
    return this.journal.atomic((): Outcome<FileChange> => {
      const branch = this.journal.run().branch;
      const head = this.files.head(branch, normal);
      if (baseVersion !== undefined && (head?.version ?? 0) !== baseVersion) {
        return refusal('conflict', `The file changed meanwhile: it is at version ${head?.version ?? 0}.`);
      }
      const changes = this.journal.applyWrites(staged, null, 'user');
      const change = changes[0];
      if (!change)
        return ok({ path: normal, version: head?.version ?? 0, op: 'update', size: head?.size ?? 0 });
      this.sink.emit({ type: 'files.changed', stepId: null, branch, author: 'user', changes });
      return ok(change);
    });
  }

  /**
   * The files of a new project imported from an existing app, written as the user's (no step wrote
   * them). Only into a project that has no files and has not run: an import never mixes with a run.
   */
  async importFiles(files: ImportedFile[], record: ImportRecord): Promise<Outcome<{ files: number }>> {
    let staged;
    try {
      staged = await this.files.stage(files);
    } catch (err) {
      return refusal('bad_request', err instanceof Error ? err.message : 'The files cannot be saved.');
    }
    return this.journal.atomic((): Outcome<{ files: number }> => {
      if (this.journal.run().status !== 'idle' || this.files.currentRev() > 0) {
        return refusal('conflict', 'This project already has files: import into a new project.');
      }
      const changes = this.journal.applyWrites(staged, null, 'user');
      this.journal.markImported(record);
      const branch = this.journal.run().branch;
      this.sink.emit({ type: 'files.changed', stepId: null, branch, author: 'user', changes });
      return ok({ files: changes.length });
    });
  }

  /** The diff of a file between two versions (`from` 0: the empty file). */
  diff(
    path: string,
    from: number,
    to: number,
    branch?: number,
  ): Outcome<{ path: string; from: number; to: number; diff: FileDiff }> {
    const normal = normalizePath(path);
    if (!normal) return refusal('bad_request', 'Not an acceptable file path.', 'path');
    const b = this.branchOr(branch);
    const text = (version: number): string | null => {
      if (version === 0) return '';
      const v = this.files.version(b, normal, version);
      if (!v) return null;
      return v.hash === null ? '' : (this.files.blob(v.hash) ?? '');
    };
    const before = text(from);
    const after = text(to);
    if (before === null || after === null) return refusal('not_found', 'No such version.');
    return ok({ path: normal, from, to, diff: diffText(before, after) });
  }

  /** What a step changed, each file with its diff against its previous version. */
  changes(stepId: number): Outcome<{ stepId: number; changes: StepChange[] }> {
    const step = this.journal.step(stepId);
    if (!step) return refusal('not_found', `There is no step ${stepId}.`);
    const changes = this.files.changesOf(stepId).map((v) => {
      const previous = v.version > 1 ? this.files.version(v.branch, v.path, v.version - 1) : null;
      const before = previous?.hash ? (this.files.blob(previous.hash) ?? '') : '';
      const after = v.hash ? (this.files.blob(v.hash) ?? '') : '';
      const op: FileChange['op'] = v.hash === null ? 'delete' : previous?.hash ? 'update' : 'create';
      return { path: v.path, version: v.version, op, diff: diffText(before, after) };
    });
    return ok({ stepId, changes });
  }
}
