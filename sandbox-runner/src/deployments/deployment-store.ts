/**
 * What the runner keeps on disk of its published apps, so that a restarted runner serves them again on
 * the same origins: per project (a directory named by its hash), `deployment.json` (the project, the
 * live version, every version's command, port, install, image, limits and network) and `v<n>.json` (the
 * files of each version still kept installed). Written after every publish, rollback and prune; the
 * directory goes when the app is unpublished. Containers are not kept across a restart: the live version
 * is installed again from these files, which is what a killed container already gets.
 *
 * Files are written to a temporary name and renamed, so a runner stopped mid-write leaves the previous
 * state, never half a file. Only the runner's user can read them (the publisher's env is in them).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Deployment } from './deployment.ts';
import type { PreparedFile, VersionSpec } from './version.ts';

/** A version as stored: its spec without the files (those are in their own file). */
export interface StoredVersion {
  version: number;
  createdAt: string;
  spec: Omit<VersionSpec, 'files'>;
  /** Its files were kept on disk (it may be started again). */
  kept: boolean;
}

/** A deployment as a restarted runner finds it. */
export interface StoredDeployment {
  projectId: string;
  hash: string;
  current: number;
  versions: StoredVersion[];
  /** The files of each kept version, by number. */
  files: Map<number, PreparedFile[]>;
}

interface DeploymentFile {
  projectId: string;
  current: number;
  versions: StoredVersion[];
}

const HASH = /^[a-z2-7]{26}$/;

export class DeploymentStore {
  private readonly root: string;

  /** `root` holds one directory per project, named by its hash. */
  constructor(root: string) {
    this.root = root;
  }

  private dir(hash: string): string {
    return join(this.root, hash);
  }

  /** Writes the deployment's state: its versions, the live one, the files of the versions kept. */
  async save(d: Deployment): Promise<void> {
    const dir = this.dir(d.hash);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const versions: StoredVersion[] = d.versions.map((v) => {
      const { files, ...spec } = v.spec;
      return { version: v.version, createdAt: v.createdAt.toISOString(), spec, kept: files.length > 0 };
    });
    const present = new Set(await readdir(dir));
    for (const v of d.versions) {
      const name = `v${v.version}.json`;
      if (v.spec.files.length > 0 && !present.has(name)) {
        await writeAtomically(join(dir, name), JSON.stringify(v.spec.files));
      }
      if (v.spec.files.length === 0 && present.has(name)) await rm(join(dir, name), { force: true });
    }
    const state: DeploymentFile = { projectId: d.projectId, current: d.current?.version ?? 0, versions };
    await writeAtomically(join(dir, 'deployment.json'), JSON.stringify(state));
  }

  async remove(hash: string): Promise<void> {
    await rm(this.dir(hash), { recursive: true, force: true });
  }

  /** Every deployment kept on disk; one that cannot be read is skipped and reported to `onError`. */
  async load(onError: (hash: string, err: unknown) => void): Promise<StoredDeployment[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return [];
    }
    const found: StoredDeployment[] = [];
    for (const hash of names.filter((n) => HASH.test(n))) {
      try {
        const dir = this.dir(hash);
        const state = JSON.parse(await readFile(join(dir, 'deployment.json'), 'utf8')) as DeploymentFile;
        const files = new Map<number, PreparedFile[]>();
        for (const v of state.versions.filter((s) => s.kept)) {
          const text = await readFile(join(dir, `v${v.version}.json`), 'utf8');
          files.set(v.version, JSON.parse(text) as PreparedFile[]);
        }
        found.push({ ...state, hash, files });
      } catch (err) {
        onError(hash, err);
      }
    }
    return found;
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}
