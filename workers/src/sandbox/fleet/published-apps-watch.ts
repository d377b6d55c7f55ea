/**
 * The fleet's watch over published apps: one Durable Object for the whole deployment knows which runner
 * each published app is on (a project tells it when its app is published, moves or is unpublished), and
 * while it knows of any, reads the fleet's directory every {@link WATCH_MS}. An app whose runner is not
 * listed any more is handed back to its project's object, which confirms the loss and publishes the app
 * again on another runner (project-object/publication-watch.ts), then tells this watch where it went.
 *
 * Why one watch and not one per app: each project looking at its own runner cost every published app a
 * Durable Object alarm and a directory read (three Redis commands) every 30 s, whether anything was lost
 * or not; here the whole fleet costs one alarm and one read per period, and a project is woken only
 * when its runner is gone.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Bindings } from '../../env.ts';
import { parseProjectId } from '../../ids.ts';
import { describeError, log } from '../../platform/logger.ts';
import { PublishedAppsStore } from '../../project-object/storage/published-apps.ts';
import { durableObjectSql } from '../../project-object/storage/sql.ts';
import { projectStub } from '../../project-object/stub.ts';
import { fleetOf } from './fleet.ts';
import { WATCH_MS } from './published-apps-client.ts';

export class PublishedAppsWatch extends DurableObject<Bindings> {
  private readonly apps: PublishedAppsStore;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.apps = new PublishedAppsStore(durableObjectSql(ctx.storage));
  }

  /** The project's app is published on `runnerId` (first published, or moved there). */
  async track(projectId: string, runnerId: string): Promise<void> {
    this.apps.track(projectId, runnerId);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + WATCH_MS);
  }

  /** The project's app is no longer published in the fleet (or the project is gone). */
  async untrack(projectId: string): Promise<void> {
    this.apps.untrack(projectId);
  }

  override async alarm(): Promise<void> {
    // Nothing published: no alarm until the next app is.
    if (this.apps.runners().length === 0) return;
    try {
      const fleet = fleetOf(this.env);
      if (!fleet) return;
      const up = new Set((await fleet.directory.runners({ fresh: true })).map((r) => r.id));
      for (const runnerId of this.apps.lostRunners(up)) await this.handBack(runnerId);
    } catch (err) {
      // The directory unreadable (Redis down): nothing is known lost; the next period looks again.
      log.warn('published apps not checked', describeError(err));
    } finally {
      await this.ctx.storage.setAlarm(Date.now() + WATCH_MS);
    }
  }

  /** Hands each app on the lost runner back to its project, which publishes it again elsewhere. */
  private async handBack(runnerId: string): Promise<void> {
    const projects = this.apps.projectsOn(runnerId);
    for (const id of projects) {
      const projectId = parseProjectId(id);
      try {
        // A project that no longer has the app there (unpublished, deleted, moved) is dropped; one whose
        // move fails stays, and is handed back again next period.
        const there = projectId !== null && (await projectStub(this.env, projectId).runnerLost(runnerId));
        if (!there) this.apps.untrack(id, runnerId);
      } catch (err) {
        log.warn('published app not handed back', { projectId: id, runnerId, ...describeError(err) });
      }
    }
    log.info('published apps handed back', { runnerId, apps: projects.length });
  }
}
