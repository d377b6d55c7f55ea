/**
 * The Docker create options of a sandbox: where the isolation is decided. Every option here is checked
 * from inside a container by test/isolation.test.ts.
 */
import type Docker from 'dockerode';
import { SANDBOX_LABEL } from '../contract.ts';
import type { NetworkPolicy, SandboxLimits } from '../contract.ts';
import { NATIVE_SUPERVISOR_PATH } from '../supervisor/native.ts';
import type { SupervisorProgram } from '../supervisor/program.ts';

/** Uid and gid the supervisor and every command run as (the image's `sandbox` user). */
export const SANDBOX_USER = '1000:1000';
const MB = 1024 * 1024;

/** What differs between sandboxes. */
export interface ContainerParams {
  sandboxId: string;
  runnerId: string;
  image: string;
  limits: SandboxLimits;
  network: NetworkPolicy;
  egressNetwork: string;
  env: Record<string, string>;
  /** Host files mounted into the sandbox, always read-only (the operator's CA certificates). */
  readOnlyFiles: { source: string; target: string }[];
  /** The native supervisor (mounted) or the Node one (run by the image's `node`). */
  supervisor: SupervisorProgram;
  /** A host directory mounted read-write (a published app's data directory, ../deployments/). */
  dataDir?: { source: string; target: string } | undefined;
  /** The path of the workspace disk's device (./workspace-disks.ts), resolved by the engine at start. */
  workspaceDevice: string;
}

/** Labels that identify a runner's containers (orphan removal selects on them). */
export function sandboxLabels(runnerId: string, sandboxId: string): Record<string, string> {
  return { [SANDBOX_LABEL]: '1', 'samokoder.runner': runnerId, 'samokoder.sandbox-id': sandboxId };
}

function binds(p: ContainerParams): { Binds?: string[] } {
  const all = p.readOnlyFiles.map((f) => `${f.source}:${f.target}:ro`);
  if (p.supervisor.kind === 'native') all.push(`${p.supervisor.binary}:${NATIVE_SUPERVISOR_PATH}:ro`);
  if (p.dataDir) all.push(`${p.dataDir.source}:${p.dataDir.target}:rw`);
  return all.length ? { Binds: all } : {};
}

/** Create options for one sandbox container running the supervisor as its main process. */
export function containerSpec(p: ContainerParams): Docker.ContainerCreateOptions {
  const memory = p.limits.memoryMb * MB;
  return {
    name: `samokoder-${p.runnerId}-${p.sandboxId}`,
    Image: p.image,
    Entrypoint:
      p.supervisor.kind === 'native'
        ? [NATIVE_SUPERVISOR_PATH]
        : ['node', '--input-type=module', '-e', p.supervisor.source],
    Cmd: [],
    User: SANDBOX_USER,
    WorkingDir: '/workspace',
    Hostname: 'sandbox',
    Env: ['HOME=/workspace', ...Object.entries(p.env).map(([k, v]) => `${k}=${v}`)],
    Labels: sandboxLabels(p.runnerId, p.sandboxId),
    // The runner talks to the supervisor over the attach stream; when that closes, stdin closes (StdinOnce)
    // and the supervisor ends the container, so a crashed runner leaves nothing running.
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: {
      Init: true, // docker-init reaps orphaned grandchildren of commands
      NetworkMode: p.network === 'none' ? 'none' : p.egressNetwork,
      // Docker copies the host's resolver into every container, even without a network; point it at
      // the sandbox's own loopback instead so nothing names a host outside.
      ...(p.network === 'none' ? { Dns: ['127.0.0.1'] } : {}),
      Memory: memory,
      MemorySwap: memory, // equal to Memory: no swap
      NanoCpus: Math.round(p.limits.cpus * 1e9),
      PidsLimit: p.limits.pids,
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,exec,nosuid,nodev,size=128m,mode=1777' },
      // The workspace is a disk of its own, `workspaceMb` large: filling it is ENOSPC, never memory.
      // Docker's local volume driver mounts the device at start; the volume goes with the container.
      Mounts: [
        {
          Type: 'volume',
          Source: '', // anonymous: removed with the container
          Target: '/workspace',
          VolumeOptions: {
            NoCopy: true,
            Labels: sandboxLabels(p.runnerId, p.sandboxId),
            DriverConfig: {
              Name: 'local',
              Options: { type: 'ext4', device: p.workspaceDevice, o: 'nosuid,nodev,noatime,discard' },
            },
          },
        },
      ],
      ...binds(p),
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      IpcMode: 'private',
      Ulimits: [{ Name: 'nofile', Soft: 4096, Hard: 4096 }],
      // Output travels over the attach stream; a log driver would copy every byte to the host's disk.
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
    },
  };
}
