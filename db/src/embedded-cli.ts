/** Runs the embedded Postgres until SIGINT/SIGTERM. Env: PGLITE_PORT, PGLITE_DATA_DIR. */
import { startEmbeddedPostgres } from './embedded.ts';

const port = Number(process.env.PGLITE_PORT ?? 5499);
const dataDir = process.env.PGLITE_DATA_DIR || undefined;
const pg = await startEmbeddedPostgres({ port, ...(dataDir ? { dataDir } : {}) });
console.log(`embedded postgres ready at ${pg.url}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void pg.stop().finally(() => process.exit(0));
  });
}
