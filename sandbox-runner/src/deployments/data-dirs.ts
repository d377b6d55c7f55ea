/**
 * The data directories of published apps: one host directory per project, mounted into every version's
 * container, so what the app keeps there survives restarts, crashes and republishing. It goes only when
 * asked (unpublish with its data, or the project's deletion).
 */
import { chown, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Owner of the directory: the sandbox user the app runs as. */
const OWNER = { uid: 1000, gid: 1000 };

export class DataDirs {
  private readonly root: string;

  /** `root` holds one directory per project, named by its hash (never by the project id itself). */
  constructor(root: string) {
    this.root = root;
  }

  path(projectHash: string): string {
    return join(this.root, projectHash);
  }

  /** Makes the project's directory if it is not there yet; returns its path. */
  async ensure(projectHash: string): Promise<string> {
    const dir = this.path(projectHash);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chown(dir, OWNER.uid, OWNER.gid);
    return dir;
  }

  async remove(projectHash: string): Promise<void> {
    await rm(this.path(projectHash), { recursive: true, force: true });
  }
}
