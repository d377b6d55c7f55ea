#!/usr/bin/env node
// `npm start` and `npm test` on a fresh machine (Node 20 and npm are enough): installs Node 22, pnpm,
// the dependencies and, where the OS allows, the Debian packages; then starts the stack or runs the tests.
// Plain JavaScript on purpose: it must run before any dependency or newer Node exists.
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FOR_START, FOR_TEST, ensureSystemPackages, prepareTestPostgres } from './system.mjs';
import { ensureNode, ensurePnpm } from './toolchain.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const mode = process.argv[2];
const log = (line) => console.log(`[bootstrap] ${line}`);

if (!['start', 'test', 'setup'].includes(mode)) {
  console.error('usage: bootstrap.mjs start|test|setup');
  process.exit(2);
}

const node = ensureNode(root, log);
const pnpmBin = ensurePnpm(root, node.binDir, log);
const PATH = `${node.binDir}:${pnpmBin}:${process.env.PATH}`;
const env = { ...process.env, PATH };
// For scripts (.ci/run) that continue in a shell after the bootstrap.
writeFileSync(join(root, '.tools/env.sh'), `export PATH="${node.binDir}:${pnpmBin}:$PATH"\n`);

ensureSystemPackages(mode === 'start' ? FOR_START : FOR_TEST, log);

log('installing dependencies (pnpm install)');
execFileSync('pnpm', ['install', ...(process.env.CI ? ['--frozen-lockfile'] : []), '--reporter=silent'], {
  cwd: root,
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (mode === 'setup') process.exit(0);

if (mode === 'test' && !env.TEST_DATABASE_URL) {
  const url = prepareTestPostgres(log);
  if (url) env.TEST_DATABASE_URL = url;
}

const [cmd, args] =
  mode === 'start'
    ? ['node', ['infra/stack/cli.ts']]
    : ['pnpm', ['run', 'test:all', ...process.argv.slice(3)]];
const child = spawn(cmd, args, { cwd: root, env, stdio: 'inherit' });
// Ctrl-C reaches the whole foreground group; the child cleans up and exits, and so do we.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
