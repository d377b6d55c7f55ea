/** One project's published app as the runner tracks it: its versions, the live one, status and log. */
import type { DeploymentInfo, DeploymentStatus } from '../contract.ts';
import { DEPLOYMENT_DATA_DIR } from '../contract.ts';
import { DeploymentLog } from './deployment-log.ts';
import { RestartPolicy } from './restart-policy.ts';
import type { DeployedVersion } from './version.ts';

export class Deployment {
  readonly projectId: string;
  /** The project's hash: its origin's label and its data directory's name. */
  readonly hash: string;
  readonly url: string;
  readonly log: DeploymentLog;
  readonly restarts = new RestartPolicy();
  versions: DeployedVersion[] = [];
  current: DeployedVersion | null = null;
  status: DeploymentStatus = 'starting';
  message: string | null = null;
  /** Set once unpublished: late events (a crash, a container's end) change nothing any more. */
  removed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(projectId: string, hash: string, url: string, logBytes: number) {
    this.projectId = projectId;
    this.hash = hash;
    this.url = url;
    this.log = new DeploymentLog(logBytes);
  }

  /** Runs `task` after every change already asked for: publish, rollback, restart never interleave. */
  serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }

  get nextVersion(): number {
    return (this.versions.at(-1)?.version ?? 0) + 1;
  }

  info(): DeploymentInfo {
    return {
      projectId: this.projectId,
      url: this.url,
      status: this.status,
      message: this.message,
      current: this.current?.version ?? 0,
      versions: this.versions.map((v) => v.info()).reverse(),
      restarts: this.restarts.total,
      dataDir: DEPLOYMENT_DATA_DIR,
    };
  }
}
