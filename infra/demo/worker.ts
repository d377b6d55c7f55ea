/**
 * The demo's Worker: `wrangler dev` (the real Worker, API and ProjectAgent Durable Object) on a free
 * loopback port with a fresh storage directory, wired to the stack's services, the sandbox-runner and
 * the LLM fixture (LLM_BASE_URL_OVERRIDE, and the fixture key as the platform's OpenAI key).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackConfig } from '../stack/config.ts';
import { startProcess, type ManagedProcess } from '../stack/process.ts';
import type { Logger } from '../stack/service.ts';
import { httpOk, waitUntil } from '../stack/wait.ts';
import { buildWebIfStale } from '../stack/web-build.ts';

export interface DemoWiring {
  databaseUrl: string;
  wsProxy: string;
  upstashUrl: string;
  upstashToken: string;
  runnerUrl: string;
  llmFixtureUrl: string;
  /** The platform's OpenAI key: a fixture key, whose script is the demo session. */
  openaiKey: string;
}

export interface DemoWorker {
  url: string;
  process: ManagedProcess;
  stop: () => Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startDemoWorker(
  cfg: StackConfig,
  wiring: DemoWiring,
  log: Logger,
): Promise<DemoWorker> {
  buildWebIfStale(cfg.root, log);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'samokoder-demo-'));
  const vars: Record<string, string> = {
    APP_ENV: 'development',
    APP_ORIGIN: url,
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
    OPENAI_API_KEY: wiring.openaiKey,
  };
  const envFile = join(dir, 'worker.env');
  writeFileSync(
    envFile,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  log(`worker: wrangler dev on ${url}`);
  const proc = startProcess({
    name: 'demo-worker',
    command: process.execPath,
    args: [
      join(cfg.root, 'node_modules/wrangler/bin/wrangler.js'),
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--env-file',
      envFile,
      '--persist-to',
      join(dir, 'state'),
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
    ],
    cwd: cfg.root,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_SEND_METRICS: 'false',
      NO_UPDATE_NOTIFIER: '1',
    },
    logFile: join(cfg.stateDir, 'logs/demo-worker.log'),
  });
  const stop = async () => {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil('wrangler dev', () => httpOk(`${url}/api/health/live`), {
      timeoutMs: 120_000,
      exited: proc.exited,
    });
  } catch (err) {
    await stop();
    throw new Error(`${String(err)}; see ${join(cfg.stateDir, 'logs/demo-worker.log')}`, { cause: err });
  }
  return { url, process: proc, stop };
}
