import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

/** Build the UI when its sources are newer than the last build (the Worker serves `web/build`). */
export function buildWebIfStale(root: string, log: Logger): void {
  const web = join(root, 'web');
  const built = join(web, 'build/index.html');
  const inputs = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'].map((p) =>
    join(web, p),
  );
  const sourceTime = Math.max(...inputs.map(newestMtime), newestMtime(join(root, 'workers/src/protocol.ts')));
  if (existsSync(built) && statSync(built).mtimeMs >= sourceTime) return;
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
}
