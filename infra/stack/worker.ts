import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from './config.ts';
import { startProcess } from './process.ts';
import type { Logger, ServiceResult } from './service.ts';
import { httpOk, waitUntil } from './wait.ts';
import { buildWebIfStale } from './web-build.ts';

/** The test Worker's entry (relative to the repository's root, where wrangler runs). */
const TEST_WORKER = 'workers/src/testing/worker.ts';

/** Where the Worker finds its dependencies; empty strings make its health report them as down. */
export interface WorkerWiring {
  databaseUrl: string;
  wsProxy: string;
  upstashUrl: string;
  upstashToken: string;
  runnerUrl: string;
  /** The LLM fixture every provider is pointed at (test and demo profiles), or empty: the real ones. */
  llmFixtureUrl: string;
  /** More vars, over the ones above. */
  extraVars?: Record<string, string>;
}

/** A .env value read back verbatim: single quotes keep JSON's double quotes and backslashes as they are. */
function dotenvQuote(value: string): string {
  return value.includes("'") || value.includes('\n') ? JSON.stringify(value) : `'${value}'`;
}

function envFile(cfg: StackConfig, wiring: WorkerWiring): string {
  const port = cfg.ports.worker;
  const vars: Record<string, string> = {
    APP_ENV: cfg.profile === 'dev' ? 'development' : 'test',
    APP_ORIGIN: `http://localhost:${port},http://127.0.0.1:${port}`,
    // No Cloudflare edge in front: a CF-Connecting-IP header is whatever the client wrote.
    BEHIND_CLOUDFLARE: 'false',
    DATABASE_URL: wiring.databaseUrl,
    DATABASE_DRIVER: 'neon',
    NEON_WS_PROXY: wiring.wsProxy,
    UPSTASH_REDIS_REST_URL: wiring.upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: wiring.upstashToken,
    SANDBOX_RUNNER_URL: wiring.runnerUrl,
    SANDBOX_RUNNER_SECRET: cfg.secrets.runnerSecret,
    JWT_SECRET: cfg.secrets.jwtSecret,
    KEYS_MASTER_KEY: cfg.secrets.keysMasterKey,
    LLM_BASE_URL_OVERRIDE: wiring.llmFixtureUrl,
    ...wiring.extraVars,
  };
  const file = join(cfg.stateDir, 'worker.env');
  writeFileSync(
    file,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${dotenvQuote(v)}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  return file;
}

/** `wrangler dev`: the API, the ProjectObject Durable Object and the UI on one origin. */
export async function startWorker(
  cfg: StackConfig,
  wiring: WorkerWiring,
  log: Logger,
): Promise<ServiceResult> {
  const url = `http://127.0.0.1:${cfg.ports.worker}`;
  // A stack of this profile already serves here (a second `pnpm start`): use it.
  if (await httpOk(`${url}/api/health/live`).catch(() => false))
    return { name: 'worker', state: 'reused', url };
  try {
    buildWebIfStale(cfg.root, log);
  } catch (err) {
    return {
      name: 'worker',
      state: 'failed',
      reason: String(err),
      hint: 'fix the UI build (pnpm --filter @samokoder/web build)',
    };
  }
  const file = envFile(cfg, wiring);
  const persistDir = join(cfg.stateDir, 'wrangler');
  // Profiles other than dev start from empty databases, so their Durable Objects start empty too: an
  // object left from an earlier run would resume a run for a project this database never had.
  if (cfg.profile !== 'dev') rmSync(persistDir, { recursive: true, force: true });
  log(`worker: wrangler dev on ${url}`);
  const proc = startProcess({
    name: 'worker',
    command: process.execPath,
    args: [
      join(cfg.root, 'node_modules/wrangler/bin/wrangler.js'),
      'dev',
      // The test profile runs the test Worker: the product's, plus the scripted test pipeline.
      ...(cfg.profile === 'test' ? [TEST_WORKER] : []),
      '--ip',
      '127.0.0.1',
      '--port',
      String(cfg.ports.worker),
      '--env-file',
      file,
      '--persist-to',
      persistDir,
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
    ],
    cwd: cfg.root,
    // No telemetry or update checks: this machine may have no internet at all.
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_SEND_METRICS: 'false',
      NO_UPDATE_NOTIFIER: '1',
    },
    logFile: join(cfg.stateDir, 'logs/worker.log'),
    stateDir: cfg.stateDir,
  });
  try {
    await waitUntil('wrangler dev', () => httpOk(`${url}/api/health/live`), {
      timeoutMs: 90_000,
      process: proc,
    });
  } catch (err) {
    await proc.stop();
    return {
      name: 'worker',
      state: 'failed',
      reason: String(err),
      hint: `see ${join(cfg.stateDir, 'logs/worker.log')}`,
    };
  }
  return { name: 'worker', state: 'started', url, process: proc };
}
