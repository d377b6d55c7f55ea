import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Database, DbHandle } from './client.ts';

/** `pg` over TCP: Hyperdrive's connection string in production, or a local URL. */
export function createPgDb(url: string, maxConnections: number): DbHandle {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {});
  return {
    // Both drizzle flavours expose the same query builder; the app only uses that surface.
    db: drizzle({ client: pool }) as unknown as Database,
    query: async (sql) => (await pool.query(sql)).rows,
    close: () => pool.end(),
  };
}
