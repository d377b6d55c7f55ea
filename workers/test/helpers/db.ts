import { env } from 'cloudflare:workers';
import type { Database } from '@samokoder/db';
import { openDb } from '../../src/platform/deps.ts';

/** Run something against the test database directly (to seed what the Durable Object would write). */
export async function withDb<T>(run: (db: Database) => Promise<T>): Promise<T> {
  const handle = await openDb(env);
  try {
    return await run(handle.db);
  } finally {
    await handle.close();
  }
}
