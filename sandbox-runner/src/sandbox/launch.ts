/** Creates, attaches and starts one sandbox container, and waits until its supervisor says hello. */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { SupervisorSession } from '../supervisor/session.ts';
import type { SupervisorHello } from '../supervisor/session.ts';
import { RunnerError } from '../errors.ts';
import { containerSpec } from './container-spec.ts';
import type { ContainerParams } from './container-spec.ts';
import { CreateTiming } from './create-timing.ts';
import type { WorkspaceDisk, WorkspaceDisks } from './workspace-disks.ts';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A fresh sandbox id: `sb_` and 20 base32 characters (100 random bits). */
export function newSandboxId(): string {
  const bytes = randomBytes(20);
  let id = 'sb_';
  for (const byte of bytes) id += BASE32[byte & 31];
  return id;
}

/** A started container with its supervisor connected, and its workspace disk. */
export interface Launched {
  sandboxId: string;
  container: Docker.Container;
  session: SupervisorSession;
  hello: SupervisorHello;
  disk: WorkspaceDisk;
}

/** Maps a failed container create to the runner's error. */
function createError(err: unknown, image: string): RunnerError {
  if ((err as { statusCode?: number }).statusCode === 404) {
    return new RunnerError('invalid_request', `image ${image} is not available on this runner`, {
      cause: err,
    });
  }
  return new RunnerError('docker_unavailable', 'could not create the sandbox container', { cause: err });
}

/**
 * Makes the workspace disk while the engine creates the container (the container names the disk by a
 * path known in advance, and the engine opens it only at start), then attaches and starts it at the
 * same time: one engine round trip less on the way. No output is missed: the supervisor writes nothing
 * until the runner, attached, asks for its hello. On any failure the container and the disk are
 * removed: a half-made sandbox never outlives the call.
 */
export async function launchContainer(
  docker: Docker,
  disks: WorkspaceDisks,
  params: Omit<ContainerParams, 'workspaceDevice'>,
  onSupervisorLog: (line: string) => void,
  timing = new CreateTiming(),
  readyTimeoutMs = 20_000,
): Promise<Launched> {
  const spec = containerSpec({ ...params, workspaceDevice: disks.devicePath(params.sandboxId) });
  const [made, created] = await Promise.allSettled([
    timing.time('disk', disks.create(params.sandboxId, params.limits.workspaceMb)),
    timing.time('engine-create', docker.createContainer(spec)),
  ]);
  if (made.status === 'rejected' || created.status === 'rejected') {
    if (created.status === 'fulfilled') await created.value.remove({ force: true, v: true }).catch(() => {});
    if (made.status === 'fulfilled') await disks.release(made.value);
    if (created.status === 'rejected') throw createError(created.reason, params.image);
    throw new RunnerError('docker_unavailable', 'could not make the sandbox workspace disk', {
      cause: made.status === 'rejected' ? made.reason : undefined,
    });
  }
  const disk = made.value;
  const container = created.value;
  try {
    const [stream] = await Promise.all([
      timing.time(
        'engine-attach',
        container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }),
      ),
      timing.time('engine-start', container.start()),
    ]);
    const session = new SupervisorSession(stream, onSupervisorLog);
    session.greet();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RunnerError('agent_timeout', `sandbox supervisor did not start within ${readyTimeoutMs} ms`),
          ),
        readyTimeoutMs,
      );
    });
    try {
      const hello = await timing.time('supervisor', Promise.race([session.ready, timeout]));
      if (hello.bootMs !== undefined) timing.record('supervisor-boot', hello.bootMs);
      return { sandboxId: params.sandboxId, container, session, hello, disk };
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    await container.remove({ force: true, v: true }).catch(() => {});
    await disks.release(disk);
    if (err instanceof RunnerError && err.code === 'sandbox_exited') {
      throw new RunnerError(
        'sandbox_start_failed',
        params.supervisor.kind === 'node'
          ? `the supervisor exited at start (does ${params.image} have node?)`
          : `the supervisor exited at start in ${params.image}`,
        {
          cause: err,
        },
      );
    }
    if (err instanceof RunnerError) throw err;
    throw new RunnerError('docker_unavailable', 'could not start the sandbox container', { cause: err });
  }
}
