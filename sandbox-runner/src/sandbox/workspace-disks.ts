/**
 * Workspace disks: each sandbox's /workspace is an ext4 filesystem of its own, `workspaceMb` large, so
 * filling it gives the writer ENOSPC and costs no memory. (A tmpfs workspace counts against the
 * container's memory limit: filling it OOM-killed the sandbox and lost every file.)
 *
 * A disk is a sparse image file under `<dir>` (one directory per runner id), formatted by mkfs.ext4 and
 * attached to a loop device with direct I/O (no second copy of the data in the host's page cache). The
 * container mounts the device through Docker's local volume driver (see container-spec.ts), so dockerd
 * does the mount and the unmount, and the runner needs no mount namespace of its own on the host.
 * Deleted files are discarded: the image shrinks back, the host holds only what the workspace holds.
 *
 * The container names its device by a symlink whose path is known before the disk exists
 * ({@link WorkspaceDisks.devicePath}): the engine creates the container while the disk is being made,
 * and resolves the link only when it mounts, at start. So dockerd must see `<dir>` at the same path.
 * mkfs.ext4 and losetup run through a {@link DiskCommand} (here, or in a helper container: disk-command.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rmdir, symlink, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { localDiskCommand } from './disk-command.ts';
import type { DiskCommand } from './disk-command.ts';

const IMAGE_SUFFIX = '.ext4';

/** One sandbox's disk: its image, the loop device it is attached to, and the link to that device. */
export interface WorkspaceDisk {
  readonly image: string;
  readonly device: string;
  readonly link: string;
}

/**
 * mkfs.ext4 options: no journal (the workspace is disposable: nothing is replayed after a crash, and
 * there is no journal to pay for on every write), no blocks reserved for root, no room kept for online
 * growth, an inode per 8 KiB (node_modules is many small files), and the root directory owned by the
 * sandbox user. Discard is mkfs's default: on a sparse file it guarantees zeroed inode tables, so the
 * kernel starts no background thread to zero them after the mount.
 */
function mkfsArgs(owner: string): string[] {
  return [
    '-q',
    '-F',
    '-O',
    '^has_journal,^resize_inode',
    '-m',
    '0',
    '-b',
    '4096',
    '-i',
    '8192',
    '-E',
    `root_owner=${owner}`,
  ];
}

/** The file a loop device is attached to ('' when it is free), from sysfs. */
const backingFile = (device: string) =>
  readFile(`/sys/block/${device.replace('/dev/', '')}/loop/backing_file`, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );

/**
 * Whether sysfs's `backing` names `image`. A device attached in another mount namespace (by a helper
 * container, see disk-command.ts) reads as the path below that bind mount's root: `/<file name>`.
 * Image names are unique (random suffix), so the name alone identifies the image.
 */
const isBackedBy = (backing: string, image: string) => backing === image || backing === `/${basename(image)}`;

/** Loop devices whose backing file is in `dir` (attached here, or by a helper while the file exists). */
async function loopsBackedBy(dir: string): Promise<string[]> {
  const images = new Set(
    (await readdir(dir).catch(() => [])).filter((f) => f.endsWith(IMAGE_SUFFIX)).map((f) => `/${f}`),
  );
  const names = (await readdir('/sys/block').catch(() => [])).filter((d) => d.startsWith('loop'));
  const backing = await Promise.all(names.map((name) => backingFile(name)));
  return names
    .filter((_, i) => backing[i]?.startsWith(`${dir}/`) || images.has(backing[i] ?? ''))
    .map((name) => `/dev/${name}`);
}

/**
 * Detaches every loop device backed by an image in `dir`, then deletes `dir` (images and links).
 * Containers using them must be gone first; a device still mounted is detached when it is unmounted.
 */
export async function removeDisks(dir: string, run: DiskCommand = localDiskCommand): Promise<number> {
  const loops = await loopsBackedBy(dir);
  if (loops.length) await run(['losetup', '-d', ...loops]).catch(() => {});
  const files = await readdir(dir).catch(() => []);
  await Promise.all(files.map((f) => unlink(join(dir, f)).catch(() => {})));
  await rmdir(dir).catch(() => {});
  return files.filter((f) => f.endsWith(IMAGE_SUFFIX)).length;
}

/** What a runner keeps ready: `count` spare disks of `sizeMb`, replaced `refillDelayMs` after each use. */
export interface SpareDisksOptions {
  sizeMb: number;
  count: number;
  refillDelayMs: number;
  /** Resolves when no container launch runs or waits: spares are made then, never during a burst. */
  idle?: () => Promise<void>;
}

/**
 * Makes and releases the workspace disks of one runner. A few disks of the default size are made
 * ahead (spares), so a cold create of that size only links one; other sizes are made on demand.
 * Spares are replaced a moment after use, as the warm pool's containers are, so that making one does
 * not slow down the sandbox just created.
 */
export class WorkspaceDisks {
  /** Where this runner's images live; nothing else is ever put there. */
  readonly dir: string;
  private readonly owner: string;
  private readonly spare: SpareDisksOptions;
  private readonly run: DiskCommand;
  private readonly spares: Omit<WorkspaceDisk, 'link'>[] = [];
  private filling: Promise<void> | null = null;
  private refillTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    dir: string,
    owner: string,
    spare: SpareDisksOptions = { sizeMb: 0, count: 0, refillDelayMs: 0 },
    run: DiskCommand = localDiskCommand,
  ) {
    this.run = run;
    this.dir = dir;
    this.owner = owner;
    this.spare = spare;
  }

  /**
   * Removes what a previous run of this runner id left behind, then makes and releases one disk, so a
   * host that cannot make them (no root, no loop devices, no mkfs.ext4) fails the start, not a create.
   * Then starts making the spares.
   */
  async start(): Promise<number> {
    const orphans = await removeDisks(this.dir, this.run);
    try {
      await this.release(await this.create('probe', 8));
    } catch (err) {
      throw new Error(
        `cannot make workspace disks in ${this.dir}: the runner needs root (or CAP_SYS_ADMIN with access to ` +
          `/dev/loop*), loop devices and mkfs.ext4 (e2fsprogs); see sandbox-runner/README.md`,
        { cause: err },
      );
    }
    this.fillSpares();
    return orphans;
  }

  /** Where sandbox `name`'s device will be, before its disk is made: what its container mounts. */
  devicePath(name: string): string {
    return join(this.dir, `${name}.dev`);
  }

  /** An empty disk of `sizeMb` for sandbox `name` (a spare when one of that size is ready). */
  async create(name: string, sizeMb: number): Promise<WorkspaceDisk> {
    const spare = sizeMb === this.spare.sizeMb ? this.spares.shift() : undefined;
    if (spare) this.scheduleRefill();
    const attached = spare ?? (await this.attach(name, sizeMb));
    const disk = { ...attached, link: this.devicePath(name) };
    try {
      await symlink(disk.device, disk.link);
    } catch (err) {
      await this.release(disk);
      throw err;
    }
    return disk;
  }

  /**
   * Makes a sparse image of `sizeMb`, formats it and attaches it to a free loop device. The image's
   * name is new to the directory: a spare made by this run is never mistaken for one a crashed run left.
   */
  private async attach(name: string, sizeMb: number): Promise<Omit<WorkspaceDisk, 'link'>> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const image = join(this.dir, `${name}-${randomBytes(4).toString('hex')}${IMAGE_SUFFIX}`);
    const file = await open(image, 'wx', 0o600);
    try {
      await file.truncate(sizeMb * 1024 * 1024); // sparse: the host holds only what is written
    } finally {
      await file.close();
    }
    try {
      // One shell for both tools: forking the runner (a large Node process) is the slow part of a spawn.
      const script =
        'img=$1; shift; mkfs.ext4 "$@" "$img" && exec losetup --find --show --direct-io=on "$img"';
      const stdout = await this.run(['/bin/sh', '-c', script, 'sh', image, ...mkfsArgs(this.owner)]);
      return { image, device: stdout.trim() };
    } catch (err) {
      await unlink(image).catch(() => {});
      throw err;
    }
  }

  /** Makes spares up to the count in the background (a failure leaves creates to make their own). */
  private fillSpares(): void {
    if (this.filling || this.closed) return;
    this.filling = (async () => {
      while (!this.closed && this.spares.length < this.spare.count) {
        await this.spare.idle?.();
        if (this.closed) return;
        const disk = await this.attach('spare', this.spare.sizeMb);
        if (this.closed) await this.release({ ...disk, link: '' });
        else this.spares.push(disk);
      }
    })()
      .catch(() => {})
      .finally(() => (this.filling = null));
  }

  private scheduleRefill(): void {
    if (this.refillTimer || this.closed) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = null;
      this.fillSpares();
    }, this.spare.refillDelayMs);
  }

  /** Detaches the disk and deletes its image (its container must be removed first). */
  async release(disk: WorkspaceDisk): Promise<void> {
    // Only while it still holds this image: a device detached earlier may now be another disk's.
    // A device still in use (a container whose removal failed) is detached by the kernel at unmount.
    if (isBackedBy(await backingFile(disk.device), disk.image)) {
      await this.run(['losetup', '-d', disk.device]).catch(() => {});
    }
    await Promise.all([unlink(disk.image).catch(() => {}), disk.link && unlink(disk.link).catch(() => {})]);
  }

  /** Removes every disk of this runner, spares included (after its containers are gone), and its directory. */
  async close(): Promise<number> {
    this.closed = true;
    if (this.refillTimer) clearTimeout(this.refillTimer);
    await this.filling;
    this.spares.length = 0;
    return removeDisks(this.dir, this.run);
  }
}
