/**
 * Runs a finished app the way its README says, in a fresh container of the sandbox image on a Docker
 * network this eval created: the install steps once (a one-off container), then the start command in
 * a long-lived one with `PORT` set. The checks reach it at its address on that network.
 */
import { execFileSync } from 'node:child_process';
import { SANDBOX_UID } from '../sandbox/build.ts';
import { docker, dockerOk } from './docker-cli.ts';
import type { ReadmeCommands } from './readme-commands.ts';

/** Where apps run: the engine, the image, the network, and what else their containers get. */
export interface AppHost {
  socketPath: string;
  image: string;
  network: string;
  /** More environment (registry settings when the network reaches out). */
  env: Record<string, string>;
  /** Host files mounted read-only (a CA bundle), host path to container path. */
  mounts: Record<string, string>;
  /** The value of every container's `samokoder.eval` label: the eval's tag, to find its leftovers. */
  label: string;
}

/** A started app. */
export interface RunningApp {
  origin: string;
  /** Restarts its process (same files) and waits until it answers again. */
  restart: () => Promise<void>;
  /** The last lines it printed. */
  logs: () => Promise<string>;
  stop: () => Promise<void>;
}

/** The port every app is told to listen on (`PORT`). */
export const APP_PORT = 3000;
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_MS = 90_000;
/** What the app's container may use. */
const LIMITS = ['--memory', '1g', '--pids-limit', '512', '--cpus', '1'];
const LOCKED_DOWN = ['--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];

/** Why an app could not be started (install failed, exited, never answered): a failed check says it. */
export class AppStartError extends Error {}

/** A Docker network for this eval's apps; internal (no route out) unless they must install packages. */
export async function createAppNetwork(
  socketPath: string,
  name: string,
  internal: boolean,
): Promise<{ name: string; remove: () => Promise<void> }> {
  await dockerOk(socketPath, ['network', 'create', ...(internal ? ['--internal'] : []), name]);
  return { name, remove: () => docker(socketPath, ['network', 'rm', name]).then(() => undefined) };
}

/**
 * Removes what an eval tagged `tag` left (its containers and network) at once, synchronously: for a
 * Ctrl-C handler, which cannot wait for promises.
 */
export function removeLeftoversNow(socketPath: string, tag: string): void {
  const env = { ...process.env, DOCKER_HOST: `unix://${socketPath}` };
  try {
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=samokoder.eval=${tag}`], { env })
      .toString()
      .split('\n')
      .filter(Boolean);
    if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids], { env, stdio: 'ignore' });
    execFileSync('docker', ['network', 'rm', `samokoder-eval-${tag}`], { env, stdio: 'ignore' });
  } catch {
    // Nothing left, or the engine is gone: nothing to do.
  }
}

function containerArgs(host: AppHost, dir: string): string[] {
  return [
    '--network',
    host.network,
    '--user',
    `${SANDBOX_UID}:${SANDBOX_UID}`,
    ...LOCKED_DOWN,
    ...LIMITS,
    // An init process passes signals on, so a restart does not wait out its timeout.
    '--init',
    '-e',
    `PORT=${APP_PORT}`,
    // npm asks its registry nothing it does not need (an internal network has no route to it).
    ...['npm_config_update_notifier=false', 'npm_config_fund=false', 'npm_config_audit=false'].flatMap(
      (v) => ['-e', v],
    ),
    ...Object.entries(host.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    '-v',
    `${dir}:/workspace`,
    ...Object.entries(host.mounts).flatMap(([from, to]) => ['-v', `${from}:${to}:ro`]),
    '-w',
    '/workspace',
    '--label',
    `samokoder.eval=${host.label}`,
  ];
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

async function answers(origin: string): Promise<boolean> {
  try {
    await fetch(origin, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
    return true;
  } catch {
    return false;
  }
}

/** Waits until the app answers any HTTP request, or fails with why (it exited, or never answered). */
async function waitForApp(socketPath: string, name: string, origin: string, command: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await answers(origin)) return;
    const state = await docker(socketPath, ['inspect', '-f', '{{.State.Running}} {{.State.ExitCode}}', name]);
    const [running, exitCode] = state.stdout.trim().split(' ');
    if (running !== 'true') {
      const logs = await docker(socketPath, ['logs', '--tail', '15', name]);
      throw new AppStartError(
        `\`${command}\` exited (${exitCode ?? '?'}) before the app answered on port ${APP_PORT}: ${tail(logs.stdout + logs.stderr)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new AppStartError(
    `\`${command}\` ran ${START_TIMEOUT_MS / 1000} s and the app never answered on port ${APP_PORT}`,
  );
}

/**
 * Installs and starts the app in `dir` (which the container's user gets to write) with its README's
 * commands. Throws an {@link AppStartError} saying what went wrong.
 */
export async function startApp(
  host: AppHost,
  dir: string,
  commands: ReadmeCommands & { start: string },
  name: string,
): Promise<RunningApp> {
  try {
    execFileSync('chown', ['-R', `${SANDBOX_UID}:${SANDBOX_UID}`, dir]);
  } catch {
    // Not root: the files stay the caller's, which the container's user may still read.
  }
  for (const step of commands.install) {
    const ran = await docker(
      host.socketPath,
      ['run', '--rm', ...containerArgs(host, dir), host.image, '/bin/sh', '-c', step],
      INSTALL_TIMEOUT_MS,
    );
    if (ran.code !== 0)
      throw new AppStartError(
        `the README's \`${step}\` failed (exit ${ran.code}): ${tail(ran.stdout + ran.stderr)}`,
      );
  }
  await dockerOk(host.socketPath, [
    'run',
    '-d',
    '--name',
    name,
    ...containerArgs(host, dir),
    host.image,
    '/bin/sh',
    '-c',
    `exec env ${commands.start}`,
  ]);
  const stop = () => docker(host.socketPath, ['rm', '-f', name]).then(() => undefined);
  try {
    const ip = await dockerOk(host.socketPath, [
      'inspect',
      '-f',
      `{{(index .NetworkSettings.Networks "${host.network}").IPAddress}}`,
      name,
    ]);
    const origin = `http://${ip}:${APP_PORT}`;
    await waitForApp(host.socketPath, name, origin, commands.start);
    return {
      origin,
      restart: async () => {
        await dockerOk(host.socketPath, ['restart', '-t', '5', name]);
        await waitForApp(host.socketPath, name, origin, commands.start);
      },
      logs: async () => {
        const logs = await docker(host.socketPath, ['logs', '--tail', '30', name]);
        return tail(logs.stdout + logs.stderr, 30);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
