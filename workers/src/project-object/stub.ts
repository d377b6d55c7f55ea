import type { Bindings } from '../env.ts';
import type { ProjectId } from '../ids.ts';
import type { ProjectObject } from './project-object.ts';
import type { PublishedAppsWatch } from '../sandbox/fleet/published-apps-watch.ts';

/**
 * A project's Durable Object. This file is the only place that names Durable Objects (a lint rule keeps
 * `idFromName` out of every other file): it takes the canonical project id only, so no spelling of an
 * id can reach a second, empty object while the project's real one runs on.
 */
export function projectStub(
  env: Pick<Bindings, 'PROJECT_OBJECT'>,
  id: ProjectId,
): DurableObjectStub<ProjectObject> {
  return env.PROJECT_OBJECT.get(env.PROJECT_OBJECT.idFromName(id));
}

/** The fleet's one watch over published apps (sandbox/fleet/published-apps-watch.ts). */
export function publishedAppsWatch(
  env: Pick<Bindings, 'PUBLISHED_APPS'>,
): DurableObjectStub<PublishedAppsWatch> {
  return env.PUBLISHED_APPS.get(env.PUBLISHED_APPS.idFromName('fleet'));
}
