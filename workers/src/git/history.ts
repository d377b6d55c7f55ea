/**
 * The project's history as git commits: one commit per done step (the agent as author, the step's
 * title as message, its task and step in trailers) and one per edit a user saved between steps (the
 * user as author), on one git branch per branch of the step log: `main`, then `rollback-<n>` whose
 * first commit's parent is the commit of the step it forked at.
 *
 * Why every done step gets a commit, also one that changed no file: the log then matches the step
 * list one to one, and a rollback branch can always name the commit of the step it forked at.
 *
 * Why the cost of a step does not grow with the project: a commit's tree is its parent's tree with the
 * step's changed paths replaced, so only the trees along those paths are read and written again; a
 * blob's id is computed once per content. Commits are written after the step's own transaction (ids
 * are SHA-1s, computed asynchronously), by `catchUp`, which is also the backfill of a project made
 * before its history was kept: it resumes where each branch's head stands, in bounded batches, and
 * writing the same step twice is impossible (a commit is only written on the head it was built on).
 */
import type { BranchInfo, DoneStep, GitHead, GitStore } from '../project-object/storage/git-store.ts';
import { USER_STEP_AGENT } from '../project-object/storage/steps.ts';
import {
  encodeCommit,
  encodeTree,
  objectId,
  parseCommit,
  parseTree,
  type ObjectId,
  type Signature,
  type TreeEntry,
} from './object.ts';

/** The git ref of a branch of the step log. */
export function branchRef(branch: number): string {
  return branch === 0 ? 'refs/heads/main' : `refs/heads/rollback-${branch}`;
}

/** The platform, as the committer of every commit. */
const COMMITTER = { name: 'Samokoder', email: 'git@noreply.samokoder' };

/** An agent as a commit's author (`Samokoder Developer <developer@agents.noreply.samokoder>`). */
export function agentAuthor(agent: string): { name: string; email: string } {
  const slug = agent.toLowerCase().replace(/[^a-z0-9]+/g, '-') || 'agent';
  return { name: `Samokoder ${agent}`, email: `${slug}@agents.noreply.samokoder` };
}

/** Paths named in the body of a save's commit message (an import may write thousands). */
const PATHS_IN_MESSAGE = 20;

/** A user's save: `Edit <path>`, or `Edit <n> files` with the paths (an import, a multi-file save). */
function editMessage(paths: string[]): string {
  if (paths.length === 1) return `Edit ${paths[0]}\n`;
  const listed = paths.slice(0, PATHS_IN_MESSAGE).join('\n');
  const more = paths.length > PATHS_IN_MESSAGE ? `\n… and ${paths.length - PATHS_IN_MESSAGE} more` : '';
  return `Edit ${paths.length} files\n\n${listed}${more}\n`;
}

/** A user as a commit's author: a stable no-reply form of their id. */
export function userAuthor(userId: string): { name: string; email: string } {
  const slug = userId.toLowerCase().replace(/[^a-z0-9-]+/g, '-') || 'user';
  return { name: 'Samokoder user', email: `${slug}@users.noreply.samokoder` };
}

/** A done step's commit message: its title, then its task and step as trailers. */
export function stepMessage(step: DoneStep): string {
  const trailers = [];
  if (step.taskId !== null) {
    trailers.push(
      `Task: ${oneLine(step.taskTitle ?? step.taskId)}`,
      `Samokoder-Task: ${oneLine(step.taskId)}`,
    );
  }
  trailers.push(`Samokoder-Step: ${step.id}`);
  return `${oneLine(step.title) || `Step ${step.id}`}\n\n${trailers.join('\n')}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const EMPTY_TREE_BODY = encodeTree([]);

/** Commits written by one `catchUp` call at most (the rest follows on the next call). */
const BATCH = 200;

interface PendingCommit {
  upTo: number;
  stepId: number;
  commitStepId: number | null;
  author: { name: string; email: string };
  /** A second parent (a pull's merge of the remote's tip), or null. */
  mergeParent: ObjectId | null;
  atMs: number;
  message: string;
}

export class GitHistory {
  private readonly store: GitStore;
  private readonly ownerId: () => string;
  private running: Promise<number> = Promise.resolve(0);

  constructor(store: GitStore, ownerId: () => string) {
    this.store = store;
    this.ownerId = ownerId;
  }

  /**
   * Writes the commits of the steps and edits not in the history yet, at most `limit` (one call at a
   * time: a call made while one runs waits for it). Returns how many were written.
   */
  catchUp(limit = BATCH): Promise<number> {
    const next = this.running.then(
      () => this.write(limit),
      () => this.write(limit),
    );
    this.running = next.catch(() => 0);
    return next;
  }

  /** Catches up completely (a clone needs every commit): batch after batch until none is left. */
  async complete(): Promise<void> {
    while ((await this.catchUp()) === BATCH) {
      // Another batch.
    }
  }

  private async write(limit: number): Promise<number> {
    let written = 0;
    const emptyTree = { id: await objectId('tree', EMPTY_TREE_BODY), body: EMPTY_TREE_BODY };
    for (const branch of this.store.branches()) {
      let head = this.store.head(branch.id) ?? (await this.start(branch, emptyTree));
      while (head && written < limit) {
        const pending = this.nextOf(head);
        if (!pending) break;
        const moved = await this.commit(head, pending);
        if (!moved) break;
        head = moved;
        written++;
      }
      if (written >= limit) break;
    }
    return written;
  }

  /** A branch's first head: empty (the main line) or the commit of the step it forked at. */
  private async start(branch: BranchInfo, emptyTree: { id: ObjectId; body: Uint8Array }) {
    let head: GitHead;
    if (branch.parent === null || branch.forkStep === null) {
      head = { branch: branch.id, commitId: null, treeId: emptyTree.id, rev: 0, stepId: 0 };
    } else {
      const forkCommit = this.store.commitOfStep(branch.forkStep);
      // The parent branch's commits come first (branches are visited in order); none: not yet.
      if (!forkCommit) return null;
      const tree = this.treeOfCommit(forkCommit);
      head = {
        branch: branch.id,
        commitId: forkCommit,
        treeId: tree,
        rev: branch.forkRev ?? 0,
        stepId: branch.forkStep,
      };
    }
    this.store.startHead(head, emptyTree);
    return this.store.head(branch.id);
  }

  private treeOfCommit(id: ObjectId): ObjectId {
    const commit = this.store.getSync(id);
    if (!commit || commit.type !== 'commit') throw new Error(`missing commit ${id}`);
    return parseCommit(commit.body).tree;
  }

  /** What the next commit of a branch is: a user's edit before the next done step, or that step. */
  private nextOf(head: GitHead): PendingCommit | null {
    const step = this.store.nextDoneStep(head.branch, head.stepId);
    const edit = this.store.firstUserEdit(head.branch, head.rev, step ? step.revAfter : undefined);
    if (edit) {
      return {
        upTo: edit.rev,
        stepId: head.stepId,
        commitStepId: null,
        author: userAuthor(this.ownerId()),
        mergeParent: null,
        atMs: edit.at,
        message: editMessage(edit.paths),
      };
    }
    if (!step) return null;
    return {
      upTo: Math.max(step.revAfter, head.rev),
      stepId: step.id,
      commitStepId: step.id,
      // A step a user made (a pull) is theirs.
      author: step.agent === USER_STEP_AGENT ? userAuthor(this.ownerId()) : agentAuthor(step.agent),
      mergeParent: this.store.mergeParentOf(step.id),
      atMs: step.endedAt,
      message: stepMessage(step),
    };
  }

  /** Builds and writes one commit on `head`; the new head, or null when another writer moved it. */
  private async commit(head: GitHead, pending: PendingCommit): Promise<GitHead | null> {
    const changes = this.store.changesIn(head.branch, head.rev, pending.upTo);
    const blobs: { hash: string; id: ObjectId }[] = [];
    const files = new Map<string, FileEntry | null>();
    for (const [path, { hash, executable }] of changes) {
      if (hash === null) {
        files.set(path, null);
        continue;
      }
      let id = this.store.blobIdOf(hash);
      if (!id) {
        id = await objectId('blob', this.store.content(hash) ?? new Uint8Array());
        blobs.push({ hash, id });
      }
      files.set(path, { id, executable });
    }
    const trees: { id: ObjectId; body: Uint8Array }[] = [];
    const treeId =
      (await this.rewrite(head.treeId, files, trees)) ?? (await objectId('tree', EMPTY_TREE_BODY));
    const time = Math.floor(pending.atMs / 1000);
    const author: Signature = { ...pending.author, time, offsetMinutes: 0 };
    const body = encodeCommit({
      tree: treeId,
      parents: [
        ...(head.commitId ? [head.commitId] : []),
        ...(pending.mergeParent ? [pending.mergeParent] : []),
      ],
      author,
      committer: { ...COMMITTER, time, offsetMinutes: 0 },
      message: pending.message,
    });
    const id = await objectId('commit', body);
    const next: GitHead = {
      branch: head.branch,
      commitId: id,
      treeId,
      rev: pending.upTo,
      stepId: pending.stepId,
    };
    const written = this.store.writeCommit({
      branch: head.branch,
      base: head,
      head: next,
      commit: { id, body, stepId: pending.commitStepId },
      trees,
      blobs,
    });
    return written ? next : null;
  }

  /**
   * The tree `base` with `changes` applied (paths relative to it; null deletes), its new subtrees added
   * to `out`; null when it ends up empty. Only the directories on the changed paths are read.
   */
  private async rewrite(
    base: ObjectId | null,
    changes: Map<string, FileEntry | null>,
    out: { id: ObjectId; body: Uint8Array }[],
  ): Promise<ObjectId | null> {
    const entries = new Map<string, TreeEntry>();
    if (base) {
      const object = this.store.getSync(base);
      if (!object || object.type !== 'tree') throw new Error(`missing tree ${base}`);
      for (const entry of parseTree(object.body)) entries.set(entry.name, entry);
    }
    const below = new Map<string, Map<string, FileEntry | null>>();
    for (const [path, file] of changes) {
      const slash = path.indexOf('/');
      if (slash < 0) {
        if (file === null) entries.delete(path);
        else entries.set(path, { mode: file.executable ? '100755' : '100644', name: path, id: file.id });
        continue;
      }
      const dir = path.slice(0, slash);
      let sub = below.get(dir);
      if (!sub) below.set(dir, (sub = new Map()));
      sub.set(path.slice(slash + 1), file);
    }
    for (const [dir, sub] of below) {
      const old = entries.get(dir);
      const id = await this.rewrite(old?.mode === '40000' ? old.id : null, sub, out);
      if (id === null) entries.delete(dir);
      else entries.set(dir, { mode: '40000', name: dir, id });
    }
    if (entries.size === 0) return null;
    const body = encodeTree([...entries.values()]);
    const id = await objectId('tree', body);
    if (id !== base) out.push({ id, body });
    return id;
  }
}

/** A file of a tree being written: its blob and whether it is executable (mode 100755). */
interface FileEntry {
  id: ObjectId;
  executable: boolean;
}

/** A repository's refs as advertised: each branch's head, other refs, and the branch HEAD points at. */
export interface RepositoryRefs {
  refs: { name: string; id: ObjectId }[];
  /** The ref HEAD points at (null: the current branch has no commit yet). */
  head: string | null;
}

/** The refs of the project's repository; HEAD is the branch the run is on. */
export function repositoryRefs(store: GitStore, currentBranch: number): RepositoryRefs {
  const refs = store.heads().map((h) => ({ name: branchRef(h.branch), id: h.commitId! }));
  refs.push(...store.extraRefs());
  refs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const current = branchRef(currentBranch);
  return { refs, head: refs.some((r) => r.name === current) ? current : null };
}
