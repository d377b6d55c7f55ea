import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  stop: () => Promise<void>;
}

/**
 * Postgres with no install: PGlite (Postgres compiled to WASM) behind its wire-protocol socket server,
 * so `pg`, psql and Neon's driver (through the WebSocket proxy) all reach it like a real server.
 * `dataDir` persists between runs; omit it for an in-memory database.
 */
export async function startEmbeddedPostgres(opts: {
  port: number;
  host?: string;
  dataDir?: string;
}): Promise<EmbeddedPostgres> {
  const host = opts.host ?? '127.0.0.1';
  const db = await PGlite.create(opts.dataDir ? { dataDir: opts.dataDir } : {});
  const server = new PGLiteSocketServer({ db, port: opts.port, host, maxConnections: 16 });
  await server.start();
  return {
    url: `postgres://postgres:postgres@${host}:${opts.port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
