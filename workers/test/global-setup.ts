import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startGitServer, type GitServer, type ServedRepository } from '../../infra/git-server/server.ts';
import { startStack, type Stack } from '../../infra/stack/stack.ts';
import { isRunning } from '../../infra/stack/service.ts';
import { buildWebIfStale } from '../../infra/stack/web-build.ts';
import { startGitWorkbench, type GitWorkbench } from './git-workbench.ts';
import {
  IMPORTABLE_SKIPPED,
  IMPORTABLE_TEXT_FILES,
  LOGO_PATH,
  LOGO_PNG,
  OTHER_BRANCH,
  OTHER_BRANCH_FILE,
} from './helpers/importable-repository.ts';
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
  // A repository to import from (a subfolder, a binary file, what an import skips, a second branch).
  const importable = gitServer.createRepository('importable', `tok-${crypto.randomUUID()}`);
  writeImportableRepository(importable);
  project.provide('importableRepository', { url: importable.url, token: importable.token });
}

/**
 * Commits the repository-import tests' app (helpers/importable-repository.ts) with the git CLI, on two
 * commits (an import takes the latest alone), and a second branch, then pushes them to `repo`.
 */
function writeImportableRepository(repo: ServedRepository): void {
  const dir = mkdtempSync(join(tmpdir(), 'importable-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Ada',
    GIT_AUTHOR_EMAIL: 'ada@example.com',
    GIT_COMMITTER_NAME: 'Ada',
    GIT_COMMITTER_EMAIL: 'ada@example.com',
  } as unknown as NodeJS.ProcessEnv;
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env, encoding: 'utf8' });
  const write = (path: string, data: string | Uint8Array) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  };
  try {
    git('init', '-q', '--initial-branch=main');
    write('src/server.js', 'the first version\n');
    write('OLD.md', 'only in the first commit\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'First');
    git('rm', '-q', 'OLD.md');
    for (const [path, text] of Object.entries(IMPORTABLE_TEXT_FILES)) write(path, text);
    write(LOGO_PATH, LOGO_PNG);
    write(IMPORTABLE_SKIPPED.dependencies, 'module.exports = 1;\n');
    symlinkSync('server.js', join(dir, IMPORTABLE_SKIPPED.symlink));
    git('add', '-A');
    // A submodule as git records it: a gitlink to a commit of another repository.
    git('update-index', '--add', '--cacheinfo', `160000,${'a'.repeat(40)},${IMPORTABLE_SKIPPED.submodule}`);
    git('commit', '-q', '-m', 'The kiosk app');
    git('checkout', '-q', '-b', OTHER_BRANCH);
    write(OTHER_BRANCH_FILE, 'next\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'Next');
    git('push', '-q', repo.path, 'main', OTHER_BRANCH);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function teardown(): Promise<void> {
  await workbench?.stop();
  await gitServer?.stop();
  await stack?.stop();
}
