import type { Bindings } from '../env.ts';
import type { ProjectId } from '../ids.ts';
import type { ProjectObject } from './project-object.ts';

/**
 * A project's Durable Object. The only place that names one (a lint rule keeps `idFromName` out of
 * every other file): it takes the canonical project id only, so no spelling of an id can reach a
 * second, empty object while the project's real one runs on.
 */
export function projectStub(
  env: Pick<Bindings, 'PROJECT_OBJECT'>,
  id: ProjectId,
): DurableObjectStub<ProjectObject> {
  return env.PROJECT_OBJECT.get(env.PROJECT_OBJECT.idFromName(id));
}
