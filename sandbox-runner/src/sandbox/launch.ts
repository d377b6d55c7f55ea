/** Creates, attaches and starts one sandbox container, and waits until its agent says hello. */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { AgentSession } from '../agent/session.ts';
import type { AgentHello } from '../agent/session.ts';
import { RunnerError } from '../errors.ts';
import { containerSpec } from './container-spec.ts';
import type { ContainerParams } from './container-spec.ts';
import type { WorkspaceDisk, WorkspaceDisks } from './workspace-disks.ts';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A fresh sandbox id: `sb_` and 20 base32 characters (100 random bits). */
export function newSandboxId(): string {
  const bytes = randomBytes(20);
  let id = 'sb_';
  for (const byte of bytes) id += BASE32[byte & 31];
  return id;
}

/** A started container with its agent connected, and its workspace disk. */
export interface Launched {
  sandboxId: string;
  container: Docker.Container;
  session: AgentSession;
  hello: AgentHello;
  disk: WorkspaceDisk;
}

/**
 * Makes the workspace disk, then creates, attaches and starts the container. On any failure the
 * container and the disk are removed: a half-made sandbox never outlives the call.
 */
export async function launchContainer(
  docker: Docker,
  disks: WorkspaceDisks,
  params: Omit<ContainerParams, 'workspaceDevice'>,
  onAgentLog: (line: string) => void,
  readyTimeoutMs = 20_000,
): Promise<Launched> {
  let disk: WorkspaceDisk;
  try {
    disk = await disks.create(params.sandboxId, params.limits.workspaceMb);
  } catch (err) {
    throw new RunnerError('docker_unavailable', 'could not make the sandbox workspace disk', { cause: err });
  }
  try {
    return await launchWithDisk(
      docker,
      { ...params, workspaceDevice: disk.device },
      disk,
      onAgentLog,
      readyTimeoutMs,
    );
  } catch (err) {
    await disks.release(disk);
    throw err;
  }
}

/** Attach happens before start so not a byte of the agent's output is missed. */
async function launchWithDisk(
  docker: Docker,
  params: ContainerParams,
  disk: WorkspaceDisk,
  onAgentLog: (line: string) => void,
  readyTimeoutMs: number,
): Promise<Launched> {
  let container: Docker.Container;
  try {
    container = await docker.createContainer(containerSpec(params));
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404) {
      throw new RunnerError('invalid_request', `image ${params.image} is not available on this runner`, {
        cause: err,
      });
    }
    throw new RunnerError('docker_unavailable', 'could not create the sandbox container', { cause: err });
  }
  try {
    const stream = await container.attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    });
    const session = new AgentSession(stream, onAgentLog);
    await container.start();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new RunnerError('agent_timeout', `sandbox agent did not start within ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
      );
    });
    try {
      const hello = await Promise.race([session.ready, timeout]);
      return { sandboxId: params.sandboxId, container, session, hello, disk };
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    await container.remove({ force: true, v: true }).catch(() => {});
    if (err instanceof RunnerError && err.code === 'sandbox_exited') {
      throw new RunnerError(
        'sandbox_start_failed',
        `the agent exited at start (does ${params.image} have node?)`,
        {
          cause: err,
        },
      );
    }
    if (err instanceof RunnerError) throw err;
    throw new RunnerError('docker_unavailable', 'could not start the sandbox container', { cause: err });
  }
}
