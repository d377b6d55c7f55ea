import { app } from './app.ts';
import type { Bindings } from './env.ts';

// The project's Durable Object class is deployed under its first name, `ProjectAgent` (wrangler.toml): an
// object's id is derived from its class's name in local persistence, so renaming the class would leave
// every local project without its steps. The code calls it what it is, the project object.
export { ProjectObject as ProjectAgent } from './project-object/project-object.ts';
export { PublishedAppsWatch } from './sandbox/fleet/published-apps-watch.ts';

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Bindings>;
