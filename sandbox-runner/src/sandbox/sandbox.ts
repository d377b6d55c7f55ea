/** One live sandbox as the runner tracks it: identity, limits, its container and supervisor, running work. */
import type Docker from 'dockerode';
import type { SupervisorSession } from '../supervisor/session.ts';
import type { BackgroundProcess } from './background-process.ts';
import type { CreateTiming } from './create-timing.ts';
import type { WorkspaceDisk } from './workspace-disks.ts';
import type { ExecExit, NetworkPolicy, SandboxInfo, SandboxLimits } from '../contract.ts';

/** A command in flight; shutdown waits for `done` and may `kill` it. */
export interface RunningExec {
  readonly done: Promise<ExecExit | null>;
  kill(signal: string): void;
}

/** Fields fixed when a sandbox is created. */
export interface SandboxInit {
  id: string;
  projectId: string;
  image: string;
  network: NetworkPolicy;
  limits: SandboxLimits;
  env: Record<string, string>;
  fromPool: boolean;
  container: Docker.Container;
  session: SupervisorSession;
  disk: WorkspaceDisk;
  /** Where the create's time went (the create response's Server-Timing). */
  timing?: CreateTiming;
}

export class Sandbox {
  readonly id: string;
  readonly projectId: string;
  readonly image: string;
  readonly network: NetworkPolicy;
  readonly limits: SandboxLimits;
  /** Merged into every command's environment. */
  readonly env: Record<string, string>;
  readonly fromPool: boolean;
  readonly container: Docker.Container;
  readonly session: SupervisorSession;
  /** The workspace disk, released when the container is removed. */
  readonly disk: WorkspaceDisk;
  readonly timing: CreateTiming | undefined;
  readonly createdAt = new Date();
  lastActiveAt = Date.now();
  destroyed = false;
  readonly execs = new Set<RunningExec>();
  readonly processes = new Map<string, BackgroundProcess>();
  processSeq = 0;

  constructor(init: SandboxInit) {
    this.id = init.id;
    this.projectId = init.projectId;
    this.image = init.image;
    this.network = init.network;
    this.limits = init.limits;
    this.env = init.env;
    this.fromPool = init.fromPool;
    this.container = init.container;
    this.session = init.session;
    this.disk = init.disk;
    this.timing = init.timing;
  }

  /** Marks activity; the idle reaper measures from the last one. */
  touch(): void {
    this.lastActiveAt = Date.now();
  }

  get running(): boolean {
    return !this.destroyed && this.session.alive;
  }

  info(): SandboxInfo {
    return {
      id: this.id,
      projectId: this.projectId,
      image: this.image,
      network: this.network,
      limits: this.limits,
      status: this.running ? 'running' : 'exited',
      fromPool: this.fromPool,
      createdAt: this.createdAt.toISOString(),
      lastActiveAt: new Date(this.lastActiveAt).toISOString(),
    };
  }
}
