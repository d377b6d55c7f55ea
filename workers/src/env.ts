import type { Database } from '@samokoder/db';

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
  /** HS256 secret of the access tokens (JWT); at least 32 characters. */
  JWT_SECRET: string;
  /**
   * Master keys that encrypt users' LLM keys: `<keyId>:<base64 of 32 bytes>`, comma-separated for
   * rotation. The first one encrypts; any of them decrypts what it encrypted.
   */
  KEYS_MASTER_KEY: string;
}

export type Bindings = Env & Secrets;

/** The signed-in user of a request, set by the `requireUser` middleware. */
export interface AuthUser {
  id: string;
  /** The refresh-token family (login session) the access token was issued for. */
  sessionId: string;
  /** Id and expiry (epoch seconds) of the access token: what logout puts on the denylist. */
  tokenId: string;
  tokenExpiresAt: number;
  /** How the token came: a cookie needs the Origin check on unsafe requests, a bearer header does not. */
  via: 'cookie' | 'bearer';
}

export interface Variables {
  requestId: string;
  /** The request's database, opened on first use and closed after the response. */
  db: () => Promise<Database>;
  /**
   * Closes the request's database early, freeing its connection for other requests: call it once the
   * database work is done and slower work follows (a Durable Object call). `db()` opens it again.
   */
  releaseDb: () => void;
  /** The signed-in user's id once `requireUser` ran: for the access log, which runs around every route. */
  userId?: string;
}

/** The Hono environment of every sub-app. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}

/** The environment of routes behind `requireUser`. */
export interface AuthedEnv {
  Bindings: Bindings;
  Variables: Variables & { user: AuthUser };
}
