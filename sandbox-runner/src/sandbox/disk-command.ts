/**
 * How the runner runs the two privileged tools of workspace disks (mkfs.ext4 and losetup): here, in its
 * own process (a runner on the host, or in a privileged container), or in a short-lived helper container
 * of its own image with CAP_SYS_ADMIN and the loop devices.
 *
 * Why a helper: Docker Swarm services cannot be privileged nor be given devices, and a container's device
 * cgroup refuses loop devices even with CAP_SYS_ADMIN and /dev mounted. A runner holding the engine's
 * socket can already start any container, so a helper it starts gives it nothing it did not have; the
 * helper sees /dev and the workspace directory at the host's paths, as dockerd does.
 */
import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import type Docker from 'dockerode';

/** Runs `argv` with root privileges over loop devices; resolves to its stdout, rejects with its stderr. */
export type DiskCommand = (argv: [string, ...string[]]) => Promise<string>;

const run = promisify(execFile);

/** Runs the tools in the runner's own process. */
export const localDiskCommand: DiskCommand = async ([file, ...args]) => (await run(file, args)).stdout;

/**
 * The helper's only privileges: CAP_SYS_ADMIN, and the loop devices in its device cgroup (block major 7,
 * and /dev/loop-control). Not `Privileged`: it needs no more, and some engines (rootless, or nested in
 * a sandbox of their own) refuse privileged containers.
 */
const LOOP_DEVICES = ['b 7:* rwm', 'c 10:237 rwm'];

/** Label of helper containers (orphan removal selects on it with the runner's id). */
export const DISK_HELPER_LABEL = 'samokoder.disk-helper';

/**
 * Runs the tools in a container of `image` (which has sh, mkfs.ext4 and losetup) with /dev
 * and `dir` mounted at the same paths, no network, removed once it exits.
 */
export function containerDiskCommand(
  docker: Docker,
  image: string,
  dir: string,
  runnerId: string,
): DiskCommand {
  return async (argv) => {
    const container = await docker.createContainer({
      Image: image,
      Entrypoint: [],
      Cmd: argv,
      User: '0',
      Labels: { [DISK_HELPER_LABEL]: '1', 'samokoder.runner': runnerId },
      HostConfig: {
        NetworkMode: 'none',
        Binds: ['/dev:/dev', `${dir}:${dir}`],
        CapDrop: ['ALL'],
        CapAdd: ['SYS_ADMIN'],
        DeviceCgroupRules: LOOP_DEVICES,
      },
    });
    try {
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const out = new PassThrough().on('data', (chunk: Buffer) => stdout.push(chunk));
      const err = new PassThrough().on('data', (chunk: Buffer) => stderr.push(chunk));
      docker.modem.demuxStream(stream, out, err);
      const ended = new Promise((resolve) => stream.on('end', resolve));
      await container.start();
      const { StatusCode: status } = (await container.wait()) as { StatusCode: number };
      await ended;
      if (status !== 0) {
        throw new Error(`${argv[0]} exited with ${status}: ${Buffer.concat(stderr).toString().trim()}`);
      }
      return Buffer.concat(stdout).toString();
    } finally {
      await container.remove({ force: true }).catch(() => {});
    }
  };
}
