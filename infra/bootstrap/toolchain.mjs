// Node 22 and pnpm for this checkout, installed from the npm registry into .tools/ (runs on Node 20).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const NODE_VERSION = '22.23.3';

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
}

function nodeIsRecentEnough(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  // 22.18 is the first Node 22 that runs TypeScript files without a flag.
  return major > 22 || (major === 22 && minor >= 18);
}

/** The bin folder of a Node >= 22.18: this process's own, or one installed under .tools/node. */
export function ensureNode(root, log) {
  if (nodeIsRecentEnough(process.version)) return { binDir: join(process.execPath, '..'), installed: false };
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = join(root, '.tools/node');
  const binDir = join(prefix, 'node_modules', pkg, 'bin');
  const manifest = join(prefix, 'node_modules', pkg, 'package.json');
  const have = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined;
  if (have !== NODE_VERSION) {
    log(`installing Node ${NODE_VERSION} into .tools/node (this machine has ${process.version})`);
    run('npm', [
      'install',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `${pkg}@${NODE_VERSION}`,
    ]);
  }
  return { binDir, installed: have !== NODE_VERSION };
}

/** The pnpm version pinned in package.json's `packageManager`, installed under .tools/pnpm. */
export function ensurePnpm(root, nodeBinDir, log) {
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
  const prefix = join(root, '.tools/pnpm');
  const manifest = join(prefix, 'node_modules/pnpm/package.json');
  const have = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined;
  if (have !== pinned) {
    log(`installing pnpm ${pinned} into .tools/pnpm`);
    run(
      'npm',
      ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', `pnpm@${pinned}`],
      {
        env: { ...process.env, PATH: `${nodeBinDir}:${process.env.PATH}` },
      },
    );
  }
  return join(prefix, 'node_modules/.bin');
}
