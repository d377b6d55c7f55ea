import { join } from 'node:path';
import { runMigrations } from '@samokoder/db/migrate';
import { externalUrl, type StackConfig } from './config.ts';
import { startProcess } from './process.ts';
import type { Logger, ServiceResult } from './service.ts';
import { tcpOpen, waitUntil } from './wait.ts';

export type PostgresResult = ServiceResult & { migrated?: boolean };

/**
 * Postgres for the stack: DATABASE_URL (TEST_DATABASE_URL for tests) when set, else the embedded
 * PGlite socket server (no install needed). Migrations are applied either way.
 */
export async function startPostgres(cfg: StackConfig, log: Logger): Promise<PostgresResult> {
  const external = externalUrl(cfg.profile, 'DATABASE_URL');
  const host = '127.0.0.1';
  const port = cfg.ports.postgres;
  let result: PostgresResult;
  if (external) {
    result = { name: 'postgres', state: 'external', url: external };
  } else if (await tcpOpen(host, port)) {
    result = {
      name: 'postgres',
      state: 'reused',
      url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    };
  } else {
    log(`postgres: starting the embedded PGlite server on ${host}:${port}`);
    const proc = startProcess({
      name: 'postgres',
      command: process.execPath,
      args: [join(cfg.root, 'db/src/embedded-cli.ts')],
      env: {
        ...process.env,
        PGLITE_PORT: String(port),
        // Tests start from an empty in-memory database; dev data survives restarts.
        PGLITE_DATA_DIR: cfg.profile === 'dev' ? join(cfg.stateDir, 'pglite') : '',
      },
      logFile: join(cfg.stateDir, 'logs/postgres.log'),
      stateDir: cfg.stateDir,
    });
    try {
      await waitUntil('embedded postgres', () => tcpOpen(host, port), {
        timeoutMs: 60_000,
        process: proc,
      });
    } catch (err) {
      await proc.stop();
      return failed(err, cfg);
    }
    result = {
      name: 'postgres',
      state: 'started',
      url: `postgres://postgres:postgres@${host}:${port}/postgres`,
      process: proc,
    };
  }
  try {
    await runMigrations(result.url);
    return { ...result, migrated: true };
  } catch (err) {
    await (result.state === 'started' ? result.process?.stop() : undefined);
    return failed(err, cfg);
  }
}

function failed(err: unknown, cfg: StackConfig): PostgresResult {
  return {
    name: 'postgres',
    state: 'failed',
    reason: err instanceof Error ? err.message : String(err),
    hint: `see ${join(cfg.stateDir, 'logs/postgres.log')}, or set ${cfg.profile === 'dev' ? 'DATABASE_URL' : 'TEST_DATABASE_URL'} to a Postgres you run`,
  };
}
