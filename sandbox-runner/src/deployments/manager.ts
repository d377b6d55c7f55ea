/**
 * Published apps: one deployment per project, each version in a container made like a sandbox's (the
 * same spec, limits and network policy, ../sandbox/), with the project's data directory mounted. A
 * publish installs the new version beside the live one and switches once it answers; the previous
 * versions' containers are kept (installed, app stopped) so a rollback is a start, not a reinstall. A
 * crashed app is started again, a crash loop is stopped and reported (restart-policy.ts).
 *
 * The app gets no token or secret of the platform: its environment is the runner's package settings,
 * `PORT`, `DATA_DIR` and what the publisher passed.
 *
 * What was published is also kept on disk (deployment-store.ts): a restarted runner finds its
 * deployments there and installs their live versions again, on the same origins, with the same data.
 */
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { DEPLOYMENT_DATA_DIR } from '../contract.ts';
import type { DeploymentInfo, DeploymentLogsResponse, PublishRequest } from '../contract.ts';
import { RunnerError } from '../errors.ts';
import type { PreviewOrigins } from '../preview/origins.ts';
import type { SandboxManager } from '../sandbox/manager.ts';
import type { SupervisorExit, SupervisorSession } from '../supervisor/session.ts';
import { DataDirs } from './data-dirs.ts';
import { Deployment } from './deployment.ts';
import { DeploymentStore, type StoredDeployment } from './deployment-store.ts';
import { MAX_RESTARTS } from './restart-policy.ts';
import { DeployedVersion } from './version.ts';
import type { PreparedFile } from './version.ts';

/** Versions besides the live one kept installed for an instant rollback. */
const KEEP_PREVIOUS = 2;
/** How long a version has to answer on its port after it starts. */
const READY_TIMEOUT_MS = 60_000;

export interface DeploymentDeps {
  sandboxes: SandboxManager;
  origins: PreviewOrigins;
  log: FastifyBaseLogger;
}

/** Where the router sends a request for a published origin, or why it cannot. */
export type PublishedTarget = { session: SupervisorSession; port: number } | 'down' | null;

export class DeploymentManager {
  private readonly deps: DeploymentDeps;
  private readonly byProject = new Map<string, Deployment>();
  private readonly byHash = new Map<string, Deployment>();
  private readonly dataDirs: DataDirs;
  private readonly store: DeploymentStore;

  constructor(deps: DeploymentDeps) {
    this.deps = deps;
    const { workspaceDir, runnerId } = deps.sandboxes.config;
    this.dataDirs = new DataDirs(join(workspaceDir, 'published-data'));
    // Per runner: runners sharing an engine and a disk each serve their own deployments.
    this.store = new DeploymentStore(join(workspaceDir, 'published-apps', runnerId));
  }

  private get config() {
    return this.deps.sandboxes.config;
  }

  /** The project's deployment, or `deployment_not_found`. */
  get(projectId: string): Deployment {
    const deployment = this.byProject.get(projectId);
    if (!deployment) throw new RunnerError('deployment_not_found', 'this project has no published app');
    return deployment;
  }

  /** The live app behind a published origin's label; 'down' while it is (re)starting or crashed. */
  target(hash: string): PublishedTarget {
    const deployment = this.byHash.get(hash);
    if (!deployment) return null;
    const live = deployment.current;
    // Only once the runner saw it answer: a restarting app is not shown half up.
    if (deployment.status !== 'running' || !live?.launched || !live.ready || !live.running) return 'down';
    return { session: live.launched.session, port: live.spec.port };
  }

  private prepare(files: PublishRequest['files']): PreparedFile[] {
    return files.map((file) => {
      const data = Buffer.from(file.content, file.encoding ?? 'utf8');
      if (data.length > this.config.maxFileBytes) {
        throw new RunnerError(
          'file_too_large',
          `${file.path} is ${data.length} bytes (limit ${this.config.maxFileBytes})`,
        );
      }
      return {
        path: file.path,
        data: data.toString('base64'),
        ...(file.mode === undefined ? {} : { mode: file.mode }),
      };
    });
  }

  /** Publishes a new version and makes it live once it answers; the live one stays if it fails. */
  async publish(projectId: string, req: PublishRequest): Promise<DeploymentInfo> {
    const sandboxes = this.deps.sandboxes;
    if (sandboxes.draining)
      throw new RunnerError('runner_draining', 'this runner takes no new apps: publish on another runner');
    if (sandboxes.unavailable)
      throw new RunnerError('docker_unavailable', `${sandboxes.unavailable}: try again shortly`);
    const limits = sandboxes.resolveLimits(req.limits);
    const files = this.prepare(req.files);
    let deployment = this.byProject.get(projectId);
    if (!deployment && this.byProject.size >= this.config.maxSandboxes) {
      // Each published app holds a container (and up to two kept ones): bounded like sandboxes.
      throw new RunnerError('too_many_sandboxes', 'this runner is at its limit of published apps');
    }
    if (!deployment) {
      const hash = this.deps.origins.projectHash(projectId);
      const url = this.deps.origins.publishedOrigin(projectId);
      deployment = new Deployment(projectId, hash, url, this.config.processLogBytes);
      this.byProject.set(projectId, deployment);
      this.byHash.set(hash, deployment);
    }
    const d = deployment;
    return d.serialize(async () => {
      const version = new DeployedVersion(d.nextVersion, {
        command: req.command,
        port: req.port,
        install: req.install,
        env: { ...req.env, PORT: String(req.port), DATA_DIR: DEPLOYMENT_DATA_DIR },
        files,
        image: req.image ?? this.config.image,
        limits,
        network: req.network ?? 'none',
      });
      d.log.note(`publishing version ${version.version}`);
      try {
        await this.install(d, version);
        await this.startApp(d, version);
      } catch (err) {
        await this.removeContainer(version);
        const message = err instanceof RunnerError && err.status < 500 ? err.message : 'it could not start';
        d.log.note(`version ${version.version} was not published: ${message}`);
        if (!d.current) this.forget(d);
        if (err instanceof RunnerError && err.code === 'publish_failed') {
          throw new RunnerError('publish_failed', `${err.message}\n${d.log.tail(2000)}`.trim(), {
            cause: err,
          });
        }
        throw err;
      }
      if (d.removed) {
        await this.removeContainer(version);
        throw new RunnerError('deployment_not_found', 'the app was unpublished while it was published');
      }
      d.versions.push(version);
      await this.makeLive(d, version);
      d.log.note(`version ${version.version} is live`);
      await this.prune(d);
      await this.save(d);
      return d.info();
    });
  }

  /** Makes an installed version live again at once (no install); the live one stays if it fails. */
  async rollback(projectId: string, number: number): Promise<DeploymentInfo> {
    const d = this.get(projectId);
    return d.serialize(async () => {
      const version = d.versions.find((v) => v.version === number);
      if (!version) throw new RunnerError('version_not_found', `there is no version ${number}`);
      if (version === d.current && version.running) return d.info();
      if (!version.ready && version.spec.files.length === 0) {
        throw new RunnerError(
          'version_not_ready',
          `version ${number} is no longer kept installed: publish it again`,
        );
      }
      d.log.note(`switching to version ${number}`);
      // Its container is gone after a restart of the runner: installed again from its kept files.
      if (!version.ready) await this.install(d, version);
      await this.startApp(d, version);
      await this.makeLive(d, version);
      d.log.note(`version ${number} is live`);
      await this.save(d);
      return d.info();
    });
  }

  async logs(
    projectId: string,
    offset: number,
    limit: number,
    waitMs: number,
  ): Promise<DeploymentLogsResponse> {
    return this.get(projectId).log.read(offset, limit, waitMs);
  }

  /** Stops the app and frees its origin at once; its data directory goes only with `deleteData`. */
  async unpublish(projectId: string, deleteData: boolean): Promise<void> {
    const d = this.byProject.get(projectId);
    if (d) {
      this.forget(d);
      await Promise.all(d.versions.map((v) => this.removeContainer(v)));
      // A publish still installing finds the deployment removed and removes its own container.
      await d.serialize(() => Promise.all(d.versions.map((v) => this.removeContainer(v))));
    }
    const hash = this.deps.origins.projectHash(projectId);
    await this.store.remove(hash);
    if (deleteData) await this.dataDirs.remove(hash);
  }

  /**
   * Finds the deployments this runner kept on disk (it was restarted) and brings each live version back:
   * installed again from its files, then started, in the background; until then its origin answers that
   * the app is starting. Call once, before any publish.
   */
  async restore(): Promise<number> {
    const stored = await this.store.load((hash, err) =>
      this.deps.log.warn({ err, hash }, 'a published app kept on disk could not be read'),
    );
    for (const s of stored) {
      if (this.byProject.has(s.projectId)) continue;
      const d = this.revive(s);
      const live = d.current;
      if (!live) continue;
      d.log.note(`the runner restarted: starting version ${live.version} again`);
      void d.serialize(() => this.bringBack(d, live));
    }
    return stored.length;
  }

  /** A deployment as it was kept on disk: its versions (not installed) and the live one. */
  private revive(s: StoredDeployment): Deployment {
    const hash = this.deps.origins.projectHash(s.projectId);
    const url = this.deps.origins.publishedOrigin(s.projectId);
    const d = new Deployment(s.projectId, hash, url, this.config.processLogBytes);
    d.versions = s.versions.map(
      (v) =>
        new DeployedVersion(
          v.version,
          { ...v.spec, files: s.files.get(v.version) ?? [] },
          new Date(v.createdAt),
        ),
    );
    d.current = d.versions.find((v) => v.version === s.current) ?? null;
    this.byProject.set(s.projectId, d);
    this.byHash.set(hash, d);
    return d;
  }

  /** Installs and starts the live version of a revived deployment; a failure is retried like a crash. */
  private async bringBack(d: Deployment, version: DeployedVersion): Promise<void> {
    if (d.removed || d.current !== version) return;
    try {
      await this.install(d, version);
      await this.startApp(d, version);
      d.status = 'running';
      d.log.note(`version ${version.version} is live`);
    } catch (err) {
      this.deps.log.warn({ err, project: d.projectId }, 'a published app could not be restored');
      d.log.note(`it did not start: ${err instanceof RunnerError ? err.message : 'an internal error'}`);
      await this.removeContainer(version);
      if (!d.removed && d.current === version) this.restartLater(d, version);
    }
  }

  /** Keeps the deployment's state on disk; a failure to write is logged, never fails the publish. */
  private async save(d: Deployment): Promise<void> {
    if (d.removed) return;
    await this.store.save(d).catch((err: unknown) => {
      this.deps.log.warn({ err, project: d.projectId }, 'a published app could not be kept on disk');
    });
  }

  /** The runner is closing: every published app's container goes (their data stays). */
  async close(): Promise<void> {
    const all = [...this.byProject.values()];
    for (const d of all) this.forget(d);
    await Promise.all(
      all.flatMap((d) => [...d.versions, d.current]).map((v) => v && this.removeContainer(v)),
    );
  }

  private forget(d: Deployment): void {
    d.removed = true;
    if (this.byProject.get(d.projectId) === d) this.byProject.delete(d.projectId);
    if (this.byHash.get(d.hash) === d) this.byHash.delete(d.hash);
  }

  /** Launches the version's container, writes its files and runs its install. */
  private async install(d: Deployment, version: DeployedVersion): Promise<void> {
    const { spec } = version;
    const dataDir = await this.dataDirs.ensure(d.hash);
    const launched = await this.deps.sandboxes.launch(spec.image, spec.limits, spec.network, {
      env: { DATA_DIR: DEPLOYMENT_DATA_DIR },
      dataDir: { source: dataDir, target: DEPLOYMENT_DATA_DIR },
    });
    version.launched = launched;
    launched.session.onClose(() => {
      // Removed by the runner itself: nothing to do. Else the container died (killed, out of memory).
      if (version.launched !== launched) return;
      version.launched = null;
      void this.deps.sandboxes.removeContainer(launched);
      if (d.removed || d.current !== version) return;
      d.log.note("the app's container stopped");
      this.restartLater(d, version);
    });
    if (d.removed) throw new RunnerError('deployment_not_found', 'the app was unpublished');
    await version.install((chunk) => d.log.append(chunk), this.config.execTimeoutMs, this.config.killGraceMs);
  }

  private startApp(d: Deployment, version: DeployedVersion): Promise<void> {
    return version.start(
      (chunk) => d.log.append(chunk),
      (exit) => this.crashed(d, version, exit),
      READY_TIMEOUT_MS,
    );
  }

  private async makeLive(d: Deployment, version: DeployedVersion): Promise<void> {
    const previous = d.current;
    d.current = version;
    d.status = 'running';
    d.message = null;
    d.restarts.reset();
    if (previous && previous !== version) await previous.stop();
  }

  /** Keeps the containers of the newest {@link KEEP_PREVIOUS} versions besides the live one. */
  private async prune(d: Deployment): Promise<void> {
    const kept = d.versions.filter((v) => v !== d.current && v.ready).sort((a, b) => b.version - a.version);
    const dropped = kept.slice(KEEP_PREVIOUS);
    await Promise.all(dropped.map((v) => this.removeContainer(v)));
    for (const v of dropped) v.dropFiles();
  }

  private async removeContainer(version: DeployedVersion): Promise<void> {
    const launched = version.launched;
    version.launched = null;
    if (launched) await this.deps.sandboxes.removeContainer(launched);
  }

  private crashed(d: Deployment, version: DeployedVersion, exit: SupervisorExit): void {
    if (d.removed || d.current !== version) return;
    const how = exit.oomKilled
      ? 'was killed: out of memory'
      : exit.signal
        ? `was killed by ${exit.signal}`
        : `exited with code ${exit.exitCode}`;
    d.log.note(`the app ${how}`);
    this.restartLater(d, version);
  }

  /** Starts the live version again after the policy's pause (its container too if it is gone). */
  private restartLater(d: Deployment, version: DeployedVersion): void {
    const delay = d.restarts.next(Date.now());
    if (delay === null) {
      d.status = 'crashed';
      d.message = `The app stopped ${MAX_RESTARTS} times within a minute: it is not started again. Publish a fix or roll back.`;
      d.log.note('the app keeps crashing: it is not started again');
      return;
    }
    d.status = 'starting';
    d.log.note(`starting it again in ${delay} ms (restart ${d.restarts.total})`);
    const timer = setTimeout(() => {
      void d.serialize(async () => {
        if (d.removed || d.current !== version || version.running) return;
        try {
          if (!version.ready) await this.install(d, version);
          await this.startApp(d, version);
          d.status = 'running';
          d.log.note('the app is running again');
        } catch (err) {
          this.deps.log.warn({ err, project: d.projectId }, 'a published app could not be restarted');
          d.log.note(`it did not start: ${err instanceof RunnerError ? err.message : 'an internal error'}`);
          // Installed again from its files on the next try.
          await this.removeContainer(version);
          if (!d.removed && d.current === version) this.restartLater(d, version);
        }
      });
    }, delay);
    timer.unref();
  }
}
