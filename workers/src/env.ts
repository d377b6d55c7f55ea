/**
 * The Worker's environment: bindings and vars come from `wrangler types` (worker-configuration.d.ts);
 * secrets are declared here because they never appear in wrangler.toml.
 */
export interface Secrets {
  /** Postgres connection string (Neon in production, the local Postgres or PGlite in development). */
  DATABASE_URL: string;
  /** Bearer token of the Upstash REST endpoint (or the local bridge). */
  UPSTASH_REDIS_REST_TOKEN: string;
  /** HS256 secret shared with the sandbox-runner to sign its per-project tokens. */
  SANDBOX_RUNNER_SECRET: string;
}

export type Bindings = Env & Secrets;

export interface Variables {
  requestId: string;
}

/** The Hono environment of every sub-app. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
