import { join } from 'node:path';
import { buildSandboxImage } from '../sandbox/build.ts';
import { checkoutTag, type StackConfig } from './config.ts';
import { ensureDockerEngine } from './docker.ts';
import { describePackageAccess, hostPackageAccess, readNpmSettings } from './host-package-access.ts';
import { startProcess } from './process.ts';
import type { Logger, ServiceResult } from './service.ts';
import { httpOk, waitUntil } from './wait.ts';

/**
 * The Docker engine, the sandbox image, then the sandbox-runner (SANDBOX_RUNNER_URL when set, dev only),
 * whose sandboxes (under `npm start`) reach package registries the way this host does.
 */
export async function startRunner(
  cfg: StackConfig,
  log: Logger,
): Promise<ServiceResult & { image?: string }> {
  if (cfg.profile === 'dev' && process.env.SANDBOX_RUNNER_URL) {
    return { name: 'sandbox-runner', state: 'external', url: process.env.SANDBOX_RUNNER_URL };
  }
  const url = `http://127.0.0.1:${cfg.ports.runner}`;
  if (await httpOk(`${url}/healthz`).catch(() => false))
    return { name: 'sandbox-runner', state: 'reused', url };
  const engine = await ensureDockerEngine({ log });
  if (!engine.ok)
    return { name: 'sandbox-runner', state: 'missing', reason: engine.reason, hint: engine.hint };
  // Read while the image is checked (`npm config` takes about a second). Only `npm start` and `pnpm eval`
  // (whose apps install what a real model chose) get the host's registry: test stacks must never install
  // from outside (their tests bring a registry).
  const npmSettings = cfg.profile === 'dev' || cfg.profile === 'eval' ? readNpmSettings() : undefined;
  let image: string;
  try {
    log('sandbox image: checking (built once, then cached by its inputs)');
    ({ image } = await buildSandboxImage({ log }));
  } catch (err) {
    return {
      name: 'sandbox-runner',
      state: 'failed',
      reason: `sandbox image: ${String(err)}`,
      hint: 'see the message above',
    };
  }
  const packageAccess = npmSettings ? hostPackageAccess(process.env, await npmSettings, log) : {};
  if (npmSettings) log(describePackageAccess(packageAccess));
  log(`sandbox-runner: starting on ${url} (image ${image})`);
  const proc = startProcess({
    name: 'sandbox-runner',
    command: process.execPath,
    args: [join(cfg.root, 'sandbox-runner/src/server.ts')],
    env: {
      ...process.env,
      // Sandboxes reach registries the way this host does (its CA file, registry and proxy).
      ...packageAccess,
      NODE_ENV: 'development',
      SANDBOX_RUNNER_HOST: '127.0.0.1',
      SANDBOX_RUNNER_PORT: String(cfg.ports.runner),
      SANDBOX_RUNNER_SECRET: cfg.secrets.runnerSecret,
      SANDBOX_IMAGE: image,
      // Runners of different profiles and checkouts share one engine: each reaps only its own orphans.
      SANDBOX_RUNNER_ID: `samokoder-${cfg.profile}-${checkoutTag}`,
      DOCKER_SOCKET: engine.socketPath,
    },
    logFile: join(cfg.stateDir, 'logs/sandbox-runner.log'),
    stateDir: cfg.stateDir,
  });
  try {
    await waitUntil('sandbox-runner', () => httpOk(`${url}/healthz`), {
      timeoutMs: 60_000,
      process: proc,
    });
  } catch (err) {
    await proc.stop();
    return {
      name: 'sandbox-runner',
      state: 'failed',
      reason: String(err),
      hint: `see ${join(cfg.stateDir, 'logs/sandbox-runner.log')}`,
    };
  }
  return { name: 'sandbox-runner', state: 'started', url, image, process: proc };
}
