import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from './service.ts';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const LOCK_STALE_MS = 5 * 60_000;

/**
 * A cross-process lock (an atomic mkdir): test suites and the stack may ask for the UI at the same
 * time, and two `vite build`s in one folder corrupt each other's output.
 */
function withBuildLock<T>(web: string, run: () => T): T {
  const lock = join(web, '.svelte-kit-build.lock');
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = existsSync(lock) ? Date.now() - statSync(lock).mtimeMs : 0;
      if (age > LOCK_STALE_MS || Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isStale(root: string, web: string): boolean {
  const built = join(web, 'build/index.html');
  const inputs = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'].map((p) =>
    join(web, p),
  );
  const sourceTime = Math.max(...inputs.map(newestMtime), newestMtime(join(root, 'workers/src/protocol.ts')));
  return !existsSync(built) || statSync(built).mtimeMs < sourceTime;
}

/** Build the UI when its sources are newer than the last build (the Worker serves `web/build`). */
export function buildWebIfStale(root: string, log: Logger): void {
  const web = join(root, 'web');
  if (!isStale(root, web)) return;
  withBuildLock(web, () => {
    // Another process may have built it while we waited for the lock.
    if (!isStale(root, web)) return;
    log('web: building the UI (vite build)');
    const res = spawnSync(process.execPath, [join(web, 'node_modules/vite/bin/vite.js'), 'build'], {
      cwd: web,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    if (res.status !== 0) {
      const output = (res.stderr || res.stdout).trim().split('\n').slice(-15).join('\n');
      throw new Error(`the UI build failed:\n${output}`);
    }
  });
}
