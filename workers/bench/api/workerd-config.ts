/**
 * A `workerd serve` config (Cap'n Proto text) that runs our bundled Worker the way wrangler.toml
 * describes it, with no wrangler or miniflare in between: `nodejs_compat` at wrangler.toml's
 * compatibility date, the `PROJECT_OBJECT` namespace (class `ProjectAgent`, SQLite storage on a local
 * disk directory), the vars and secrets as text bindings, and outbound fetches allowed to loopback
 * (Postgres' WebSocket proxy, the Redis bridge, the LLM fixture all listen there).
 *
 * The static assets are served as Cloudflare's edge serves them, in front of the Worker: a small router
 * sends `/api/*` to the Worker (wrangler.toml's `run_worker_first`) and everything else to a disk
 * service over the built UI, falling back to `index.html` (`not_found_handling = "single-page-application"`).
 */
import { readFileSync } from 'node:fs';

/** What the config serves, and where. Directories are absolute; embedded modules are relative to the config (Cap'n Proto reads an absolute `embed` path from its import roots, not the filesystem). */
export interface PlainWorkerdOptions {
  /** `127.0.0.1:<port>` the HTTP socket listens on. */
  address: string;
  /** The bundle's entry (`wrangler deploy --dry-run --outdir`'s `index.js`). */
  bundle: string;
  /** The router's module (see {@link ROUTER_SOURCE}). */
  router: string;
  /** The built UI (`web/build`). */
  assets: string;
  /** Where the Durable Objects keep their SQLite files. */
  storage: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  /** Vars and secrets, all plain text bindings as `wrangler dev` passes them. */
  vars: Record<string, string>;
}

/** The router in front of the Worker: the API to it, anything else to the assets. */
export const ROUTER_SOURCE = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/api/')) return env.API.fetch(request);
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    const path = url.pathname.endsWith('/') ? url.pathname + 'index.html' : url.pathname;
    const asset = await env.ASSETS.fetch(new URL(path, url.origin), { method: request.method });
    if (asset.status !== 404) return asset;
    return env.ASSETS.fetch(new URL('/index.html', url.origin), { method: request.method });
  },
};
`;

/** wrangler.toml's compatibility date and flags (the two keys this config needs from it). */
export function wranglerCompatibility(wranglerToml: string): { date: string; flags: string[] } {
  const text = readFileSync(wranglerToml, 'utf8');
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(text)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(text)?.[1];
  if (!date) throw new Error(`${wranglerToml} has no compatibility_date`);
  return { date, flags: [...(flags ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!) };
}

/** A Cap'n Proto text literal: JSON's escapes are Cap'n Proto's for the ASCII these values hold. */
const text = (value: string) => JSON.stringify(value);

export function workerdConfig(o: PlainWorkerdOptions): string {
  const vars = Object.entries(o.vars)
    .map(([name, value]) => `    (name = ${text(name)}, text = ${text(value)}),`)
    .join('\n');
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "router", worker = .router),
    (name = "samokoder", worker = .samokoder),
    (name = "assets", disk = (path = ${text(o.assets)}, writable = false)),
    (name = "do-storage", disk = (path = ${text(o.storage)}, writable = true)),
    (name = "internet", network = (allow = ["public", "private"])),
  ],
  sockets = [(name = "http", address = ${text(o.address)}, http = (), service = "router")],
);

const router :Workerd.Worker = (
  modules = [(name = "router.js", esModule = embed ${text(o.router)})],
  compatibilityDate = ${text(o.compatibilityDate)},
  bindings = [(name = "API", service = "samokoder"), (name = "ASSETS", service = "assets")],
);

const samokoder :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed ${text(o.bundle)})],
  compatibilityDate = ${text(o.compatibilityDate)},
  compatibilityFlags = [${o.compatibilityFlags.map(text).join(', ')}],
  bindings = [
${vars}
    (name = "PROJECT_OBJECT", durableObjectNamespace = "ProjectAgent"),
  ],
  durableObjectNamespaces = [
    (className = "ProjectAgent", uniqueKey = "samokoder-ProjectAgent", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "do-storage"),
  globalOutbound = "internet",
);
`;
}
