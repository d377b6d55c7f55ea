import type { TestProject } from 'vitest/node';
import { startGitServer, type GitServer } from '../../infra/git-server/server.ts';
import { startStack, type Stack } from '../../infra/stack/stack.ts';
import { isRunning } from '../../infra/stack/service.ts';
import { buildWebIfStale } from '../../infra/stack/web-build.ts';
import { startGitWorkbench, type GitWorkbench } from './git-workbench.ts';
import { TEST_LIMITS } from './limits.ts';

let stack: Stack | undefined;
let gitServer: GitServer | undefined;
let workbench: GitWorkbench | undefined;

/**
 * Starts Postgres, the WebSocket proxy, Redis, the Upstash bridge and the LLM fixture, and hands their
 * URLs to workerd, with small rate limits so tests can exceed them and see them recover.
 */
export async function setup(project: TestProject): Promise<void> {
  stack = await startStack({ profile: 'test', withoutWorker: true, withoutRunner: true });
  const byName = new Map(stack.services.map((s) => [s.name, s]));
  const url = (name: string) => {
    const service = byName.get(name);
    if (!service || !isRunning(service)) {
      const why = service && !isRunning(service) ? `${service.reason} (${service.hint})` : 'not started';
      throw new Error(`the workers tests need ${name}: ${why}`);
    }
    return service.url;
  };
  // The Worker's assets binding needs the UI build to exist.
  buildWebIfStale(stack.config.root, () => {});
  const secrets = stack.config.secrets;
  project.provide('workerBindings', {
    APP_ENV: 'test',
    APP_ORIGIN: 'http://localhost:8787',
    // The tests stand in for Cloudflare's edge: each test user's CF-Connecting-IP is its address. The
    // tests of the address itself switch this off per request.
    BEHIND_CLOUDFLARE: 'true',
    DATABASE_URL: url('postgres'),
    DATABASE_DRIVER: 'neon',
    NEON_WS_PROXY: url('ws-proxy'),
    UPSTASH_REDIS_REST_URL: url('upstash'),
    UPSTASH_REDIS_REST_TOKEN: secrets.upstashToken,
    SANDBOX_RUNNER_URL: '',
    SANDBOX_RUNNER_SECRET: secrets.runnerSecret,
    JWT_SECRET: secrets.jwtSecret,
    KEYS_MASTER_KEY: secrets.keysMasterKey,
    RATE_LIMITS: JSON.stringify(TEST_LIMITS),
    LLM_BASE_URL_OVERRIDE: url('llm-fixture'),
  });
  // A remote repository on loopback for the remote-connection tests (git http-backend, token auth).
  gitServer = await startGitServer();
  const remote = gitServer.createRepository('connected', `tok-${crypto.randomUUID()}`);
  project.provide('gitRemote', { url: remote.url, token: remote.token });
  // Fresh repositories and the git CLI on them, for the push and pull tests.
  workbench = await startGitWorkbench(gitServer);
  project.provide('gitWorkbench', workbench.origin);
}

export async function teardown(): Promise<void> {
  await workbench?.stop();
  await gitServer?.stop();
  await stack?.stop();
}
