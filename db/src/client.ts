import { Pool, neonConfig } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';

/** How the database is reached: Neon's serverless driver over WebSocket, or `pg` over TCP. */
export type DbDriver = 'neon' | 'pg';

export interface DbOptions {
  url: string;
  driver?: DbDriver;
  /**
   * `host:port` of a WebSocket-to-TCP proxy (infra/stack/ws-proxy-server.ts) for Neon's driver when
   * the database is not Neon itself (local Postgres or PGlite). Empty in production.
   */
  wsProxy?: string | undefined;
  /**
   * Connections the handle may open at once (default 4). A Worker request uses 1: its queries then
   * share one connection, and the isolate's bound on connections counts handles.
   */
  maxConnections?: number;
  /** Needed in Node, where there is no global WebSocket for Neon's driver (pass `ws`). */
  webSocketConstructor?: unknown;
}

/**
 * The query builder. Built without the relational schema: drizzle would rebuild its relational config
 * for every handle (in a Worker, one per request), and the app uses the SQL-like builder only.
 */
export type Database = ReturnType<typeof drizzle>;

export interface DbHandle {
  db: Database;
  /** Run a raw statement (health checks, maintenance). */
  query: (sql: string) => Promise<unknown[]>;
  /** Close the connections; in a Worker call it from `ctx.waitUntil` once the response is sent. */
  close: () => Promise<void>;
}

function configureNeon(opts: DbOptions): void {
  if (opts.webSocketConstructor)
    neonConfig.webSocketConstructor = opts.webSocketConstructor as typeof WebSocket;
  if (opts.wsProxy) {
    const proxy = opts.wsProxy;
    // The local proxy forwards to one fixed Postgres, so the address Neon asks for does not matter.
    neonConfig.wsProxy = () => `${proxy}/v2`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
}

/**
 * Open a database handle. In a Worker, open one per request: I/O objects cannot outlive the request
 * that created them.
 */
export async function createDb(opts: DbOptions): Promise<DbHandle> {
  if (opts.driver === 'pg') {
    const { createPgDb } = await import('./client-pg.ts');
    return createPgDb(opts.url, opts.maxConnections ?? 4);
  }
  configureNeon(opts);
  const pool = new Pool({
    connectionString: opts.url,
    max: opts.maxConnections ?? 4,
    connectionTimeoutMillis: 5000,
  });
  // An idle connection that dies (the server restarts) must not crash the process.
  pool.on('error', () => {});
  return {
    db: drizzle({ client: pool }),
    query: async (sql) => (await pool.query(sql)).rows,
    close: () => pool.end(),
  };
}
