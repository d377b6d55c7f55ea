/**
 * Makes sure a Docker engine answers on the local unix socket, starting Debian's `dockerd` when it is
 * installed and we are root. Used by the stack scripts and by test global setups (sandbox-runner).
 *
 * Idempotent and safe to call from several processes at once: when the socket already answers we do
 * nothing; when two callers race to start the engine, dockerd itself refuses the second start (its pid
 * file and socket are taken) and both callers just wait for the socket.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { delimiter, join, resolve } from 'node:path';

/** Result of {@link ensureDockerEngine}: the socket to use, or what is missing and how to get it. */
export type DockerEngineStatus =
  { ok: true; socketPath: string } | { ok: false; reason: string; hint: string };

/** Options of {@link ensureDockerEngine}. */
export interface EnsureDockerOptions {
  log?: (line: string) => void;
  /** Unix socket of the engine; defaults to `DOCKER_SOCKET` or `/var/run/docker.sock`. */
  socketPath?: string;
  /** How long to wait for a freshly started engine to answer. */
  startTimeoutMs?: number;
}

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const STATE_DIR = join(REPO_ROOT, '.local', 'docker');
const INSTALL_HINT = 'apt-get install -y docker.io   (Debian; then rerun, the engine is started for you)';

/** True when `GET /_ping` on the unix socket answers `OK` within `timeoutMs`. */
export function pingDocker(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((done) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done(res.statusCode === 200 && body.trim() === 'OK'));
      res.on('error', () => done(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
    req.end();
  });
}

function findExecutable(name: string): string | undefined {
  // sbin is often missing from PATH for non-login shells, and dockerd lives there on Debian.
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/sbin',
    '/sbin',
    '/usr/bin',
    '/usr/local/sbin',
  ];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function pidAlive(pidFile: string): boolean {
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Returns `{ ok: true, socketPath }` once the engine answers, starting `dockerd` detached (own session,
 * log and pid file under `.local/docker/`) if needed; otherwise `{ ok: false, reason, hint }`.
 */
export async function ensureDockerEngine(opts: EnsureDockerOptions = {}): Promise<DockerEngineStatus> {
  const log = opts.log ?? (() => {});
  const socketPath = opts.socketPath ?? process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
  const startTimeoutMs = opts.startTimeoutMs ?? 45_000;

  if (await pingDocker(socketPath)) return { ok: true, socketPath };

  const dockerd = findExecutable('dockerd');
  if (!dockerd) {
    return {
      ok: false,
      reason: `no Docker engine answers on ${socketPath} and dockerd is not installed`,
      hint: INSTALL_HINT,
    };
  }
  if (process.getuid?.() !== 0) {
    return {
      ok: false,
      reason: `no Docker engine answers on ${socketPath}; dockerd is installed (${dockerd}) but starting it needs root`,
      hint: `start it as root: sudo setsid ${dockerd} >/tmp/dockerd.log 2>&1 &  (or: sudo systemctl start docker)`,
    };
  }

  mkdirSync(STATE_DIR, { recursive: true });
  const pidFile = join(STATE_DIR, 'dockerd.pid');
  const logFile = join(STATE_DIR, 'dockerd.log');

  let exited: string | undefined;
  if (pidAlive(pidFile)) {
    log(`dockerd already starting (pid file ${pidFile}); waiting for ${socketPath}`);
  } else {
    log(`starting ${dockerd} (log: ${logFile})`);
    const out = openSync(logFile, 'a');
    // detached: the child calls setsid(), so it outlives us and ignores our terminal's signals.
    const child = spawn(dockerd, ['--host', `unix://${socketPath}`, '--pidfile', pidFile], {
      detached: true,
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    child.on('error', (err) => (exited = `could not spawn dockerd: ${err.message}`));
    child.on('exit', (code, signal) => (exited = `dockerd exited (${signal ?? `code ${code}`})`));
    child.unref();
  }

  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (await pingDocker(socketPath, 1000)) {
      log(`docker engine answers on ${socketPath}`);
      return { ok: true, socketPath };
    }
    // A second dockerd exits at once when another one holds the pid file; keep waiting for that one.
    if (exited && !pidAlive(pidFile) && !pidAlive('/var/run/docker.pid')) {
      return {
        ok: false,
        reason: `${exited} before answering on ${socketPath}. Last log lines (${logFile}):\n${tail(logFile)}`,
        hint: `read ${logFile}; a stale /var/run/docker.pid or a missing kernel feature (overlay, cgroups) are the usual causes`,
      };
    }
    await sleep(250);
  }
  return {
    ok: false,
    reason: `dockerd did not answer on ${socketPath} within ${startTimeoutMs} ms. Last log lines (${logFile}):\n${tail(logFile)}`,
    hint: `read ${logFile}; stop a stuck engine with: kill "$(cat ${pidFile})"`,
  };
}

// CLI: `node infra/stack/docker.ts` starts (or finds) the engine and prints where it answers.
if (import.meta.main) {
  const status = await ensureDockerEngine({ log: (line) => console.error(line) });
  if (status.ok) console.log(status.socketPath);
  else {
    console.error(`${status.reason}\nhint: ${status.hint}`);
    process.exitCode = 1;
  }
}
