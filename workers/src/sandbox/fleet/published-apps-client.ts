/**
 * How a project reaches the fleet's one watch of published apps (published-apps-watch.ts): its stub and
 * its period. Apart from the watch's class, so the project's object can tell it where its app is
 * without importing the class (which itself names projects' objects).
 */
import type { Bindings } from '../../env.ts';

/**
 * How often the watch reads the directory while any app is published. A lost runner's record outlives
 * it by the registry's TTL (15 s), so an app is being published again within about 45 s of its loss.
 */
export const WATCH_MS = 30_000;

/** The watch: one object for the whole deployment, named by a constant. */
export function publishedAppsWatch(env: Pick<Bindings, 'PUBLISHED_APPS'>) {
  return env.PUBLISHED_APPS.get(env.PUBLISHED_APPS.idFromName('fleet'));
}
