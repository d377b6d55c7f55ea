/**
 * What a runner without loop-device access pays for its workspace disks (SANDBOX_DISK_HELPER_IMAGE: a
 * Swarm task): making and releasing a disk in the runner's own process, and through a helper container
 * of the runner's image, beside a bare `docker run --rm IMAGE true` of that image, all in this run.
 * Spare disks are made ahead in both modes, so a create of the default size pays neither; a disk of
 * another size pays "made" while the engine creates the container.
 *
 * Usage: node sandbox-runner/bench/disk-helper.ts [--samples=N]   (root; the engine running)
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { buildRunnerImage } from '../../infra/fleet/image/build.ts';
import { DEFAULT_WORKSPACE_DIR } from '../src/config.ts';
import { SANDBOX_USER } from '../src/sandbox/container-spec.ts';
import { containerDiskCommand, localDiskCommand } from '../src/sandbox/disk-command.ts';
import type { DiskCommand } from '../src/sandbox/disk-command.ts';
import { WorkspaceDisks } from '../src/sandbox/workspace-disks.ts';

const run = promisify(execFile);
const SAMPLES = Number(process.argv.find((a) => a.startsWith('--samples='))?.split('=')[1] ?? 10);
const socketPath = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};
const fmt = (values: number[]) =>
  `p50 ${percentile(values, 50).toFixed(0)} ms, p90 ${percentile(values, 90).toFixed(0)} ms`;

async function measure(name: string, command: DiskCommand, dir: string): Promise<void> {
  const disks = new WorkspaceDisks(dir, SANDBOX_USER, undefined, command);
  const made: number[] = [];
  const released: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    let started = performance.now();
    const disk = await disks.create(`disk-${i}`, 1024);
    made.push(performance.now() - started);
    started = performance.now();
    await disks.release(disk);
    released.push(performance.now() - started);
  }
  await disks.close();
  console.log(`${name.padEnd(28)} made ${fmt(made)}; released ${fmt(released)}`);
}

const { image } = await buildRunnerImage({ socketPath });
const docker = new Docker({ socketPath });
const tag = randomBytes(3).toString('hex');
const dir = (mode: string) => join(DEFAULT_WORKSPACE_DIR, `bench-disk-${mode}-${tag}`);
console.log(`workspace disks of 1 GB, ${SAMPLES} samples each`);
await measure('in the runner (host)', localDiskCommand, dir('local'));
await measure(
  'in a helper container',
  containerDiskCommand(docker, image, dir('helper'), `bench-${tag}`),
  dir('helper'),
);
const baseline: number[] = [];
for (let i = 0; i < SAMPLES; i++) {
  const started = performance.now();
  await run('docker', ['run', '--rm', '--network', 'none', '--entrypoint', '/usr/bin/true', image]);
  baseline.push(performance.now() - started);
}
console.log(`${'baseline: docker run --rm'.padEnd(28)} ${fmt(baseline)}`);
