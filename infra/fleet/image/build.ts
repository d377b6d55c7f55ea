/**
 * Builds the sandbox-runner's container image `samokoder/sandbox-runner:<hash>` (also `:latest`) without
 * a registry, the way the sandbox image is built (../../sandbox/build.ts): a root filesystem assembled
 * from this host's files, tarred and `docker import`ed. Cached by its inputs (the runner's code, the
 * lockfile, the tools' versions, these scripts).
 *
 * The root filesystem is the sandbox image's (static busybox, Node 22, glibc) plus what the runner needs
 * on top: util-linux's losetup, e2fsprogs' mkfs.ext4 and dash as /bin/sh, with their libraries (workspace disks, also run by
 * the runner's privileged disk helper: SANDBOX_DISK_HELPER_IMAGE), and the runner itself at /app with
 * its production node_modules (`pnpm deploy --prod --offline`, from the local store), and the sandboxes'
 * native supervisor built on this host (the image has no compiler; SANDBOX_SUPERVISOR_BINARY). No Chromium: the
 * page check is off in this image (SANDBOX_CHECK_BROWSER=none); Dockerfile beside this script shows an
 * operator's equivalent, with it.
 *
 * CLI: `node infra/fleet/image/build.ts [--force]` prints the image name.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { assembleRootfs, findRootfsInputs } from '../../sandbox/rootfs.ts';
import { ensureDockerEngine } from '../../stack/docker.ts';
import { buildNativeSupervisor } from '../../../sandbox-runner/src/supervisor/native.ts';

/** Repository of the runner's image. */
export const RUNNER_IMAGE_REPO = 'samokoder/sandbox-runner';
/** Where the runner listens in its container (all interfaces: the orchestrator's network reaches it). */
export const RUNNER_CONTAINER_PORT = 8788;

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const RUNNER_DIR = join(REPO_ROOT, 'sandbox-runner');
const CACHE_DIR = join(REPO_ROOT, '.cache', 'runner-image');

/** Host tools copied into the image, with the libraries they link. */
const TOOLS = [
  { host: '/usr/sbin/losetup', image: 'usr/bin/losetup', hint: 'apt-get install -y util-linux' },
  { host: '/usr/sbin/mke2fs', image: 'usr/bin/mkfs.ext4', hint: 'apt-get install -y e2fsprogs' },
  // /bin/sh: busybox's shell runs its own applets before PATH, and its losetup lacks --direct-io
  { host: '/usr/bin/dash', image: 'usr/bin/sh', hint: 'apt-get install -y dash' },
];

/** Where the image carries the native supervisor (the runner copies it where dockerd sees it). */
const SUPERVISOR_IN_IMAGE = 'app/native-supervisor';

const IMAGE_CHANGES = [
  'ENV PATH=/usr/local/bin:/usr/bin:/bin',
  'ENV NODE_ENV=production',
  `ENV SANDBOX_RUNNER_HOST=0.0.0.0`,
  `ENV SANDBOX_RUNNER_PORT=${RUNNER_CONTAINER_PORT}`,
  'ENV SANDBOX_CHECK_BROWSER=none',
  'WORKDIR /app',
  `EXPOSE ${RUNNER_CONTAINER_PORT}`,
  'ENTRYPOINT ["/usr/local/bin/node", "src/server.ts"]',
];

const run = (file: string, args: string[], cwd?: string) =>
  execFileSync(file, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'pipe'] });

function sharedLibraries(binary: string): string[] {
  return run('ldd', [binary])
    .split('\n')
    .map((line) => (/=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line))?.[1])
    .filter((lib): lib is string => lib !== undefined);
}

/** Every file under `dir` (sorted), for the cache key. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * The cache key: the runner's code and lockfile, the tools, the sandbox rootfs inputs, these scripts,
 * the native supervisor.
 */
function imageTag(supervisor: string | null): string {
  const inputs = findRootfsInputs();
  const hash = createHash('sha256');
  hash.update(JSON.stringify([inputs.nodeVersion, inputs.npmVersion, inputs.busyboxVersion]));
  const files = [
    import.meta.filename,
    join(REPO_ROOT, 'infra', 'sandbox', 'rootfs.ts'),
    join(REPO_ROOT, 'pnpm-lock.yaml'),
    join(RUNNER_DIR, 'package.json'),
    ...filesUnder(join(RUNNER_DIR, 'src')),
    ...filesUnder(join(RUNNER_DIR, 'bin')),
    ...TOOLS.map((tool) => tool.host),
    ...(supervisor ? [supervisor] : []),
  ];
  for (const file of files) hash.update(file.replace(REPO_ROOT, '')).update(readFileSync(file));
  return hash.digest('hex').slice(0, 12);
}

function assembleRunnerRootfs(root: string, work: string, supervisor: string | null): void {
  assembleRootfs(root, findRootfsInputs());
  for (const tool of TOOLS) {
    if (!existsSync(tool.host)) throw new Error(`${tool.host} is missing: ${tool.hint}`);
    const dest = join(root, tool.image);
    if (existsSync(dest)) unlinkSync(dest); // busybox's applet of the same name lacks the options used
    copyFileSync(tool.host, dest);
    chmodSync(dest, 0o755);
    for (const lib of sharedLibraries(tool.host)) {
      const path = lib.startsWith('/lib') ? `/usr${lib}` : lib; // the image's /usr is merged
      const target = join(root, path);
      if (existsSync(target)) continue;
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(lib, target);
    }
  }
  if (existsSync('/etc/mke2fs.conf')) copyFileSync('/etc/mke2fs.conf', join(root, 'etc', 'mke2fs.conf'));
  const app = join(work, 'app');
  run('pnpm', ['--filter', '@samokoder/sandbox-runner', 'deploy', '--prod', '--offline', app], REPO_ROOT);
  for (const dir of ['src', 'bin', 'node_modules']) {
    cpSync(join(app, dir), join(root, 'app', dir), { recursive: true, verbatimSymlinks: true });
  }
  copyFileSync(join(app, 'package.json'), join(root, 'app', 'package.json'));
  if (supervisor) {
    copyFileSync(supervisor, join(root, SUPERVISOR_IN_IMAGE));
    chmodSync(join(root, SUPERVISOR_IN_IMAGE), 0o755);
  }
}

/** One call of the Engine API over its socket; `body` is a file streamed as the request body. */
function engine(
  socketPath: string,
  method: string,
  path: string,
  file?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const headers = file
      ? { 'content-type': 'application/x-tar', 'content-length': statSync(file).size }
      : {};
    const req = request({ socketPath, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', fail);
    });
    req.on('error', fail);
    if (file) createReadStream(file).pipe(req);
    else req.end();
  });
}

async function tagLatest(socketPath: string, image: string): Promise<void> {
  const query = new URLSearchParams({ repo: RUNNER_IMAGE_REPO, tag: 'latest' });
  const res = await engine(socketPath, 'POST', `/images/${encodeURIComponent(image)}/tag?${query}`);
  if (res.status !== 201) throw new Error(`docker tag ${image}: HTTP ${res.status} ${res.body}`);
}

/** Options of {@link buildRunnerImage}. */
export interface BuildRunnerImageOptions {
  socketPath?: string;
  force?: boolean;
  log?: (line: string) => void;
}

/** Returns the runner's image, building it only when its input-hash tag is absent. */
export async function buildRunnerImage(
  opts: BuildRunnerImageOptions = {},
): Promise<{ image: string; built: boolean }> {
  const log = opts.log ?? (() => {});
  const socketPath = opts.socketPath ?? process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
  // Without a compiler here, the image's runner gives its sandboxes the Node supervisor (and says so).
  const supervisor = await buildNativeSupervisor().catch((err: unknown) => {
    log(`the image carries no native supervisor: ${(err as Error).message}`);
    return null;
  });
  const tag = imageTag(supervisor);
  const image = `${RUNNER_IMAGE_REPO}:${tag}`;
  const exists = await engine(socketPath, 'GET', `/images/${encodeURIComponent(image)}/json`);
  if (exists.status === 200 && !opts.force) {
    await tagLatest(socketPath, image);
    return { image, built: false };
  }
  const started = Date.now();
  log(`building ${image}`);
  // A private folder per build: two processes may build the same tag at once, and that is harmless.
  const work = join(CACHE_DIR, `build-${process.pid}-${randomBytes(4).toString('hex')}`);
  const root = join(work, 'root');
  const tarFile = join(work, 'rootfs.tar');
  mkdirSync(root, { recursive: true });
  try {
    assembleRunnerRootfs(root, work, supervisor);
    const owner = ['--owner=0', '--group=0', '--numeric-owner'];
    run('tar', ['-C', root, ...owner, '-cf', tarFile, '.']);
    log(`importing ${Math.round(statSync(tarFile).size / 1e6)} MB`);
    const changes = [
      ...IMAGE_CHANGES,
      ...(supervisor ? [`ENV SANDBOX_SUPERVISOR_BINARY=/${SUPERVISOR_IN_IMAGE}`] : []),
      `LABEL samokoder.image=sandbox-runner samokoder.inputs=${tag}`,
    ];
    const query = new URLSearchParams({ fromSrc: '-', repo: RUNNER_IMAGE_REPO, tag });
    for (const change of changes) query.append('changes', change);
    const res = await engine(socketPath, 'POST', `/images/create?${query}`, tarFile);
    if (res.status !== 200 || res.body.includes('"error"'))
      throw new Error(`docker import: HTTP ${res.status} ${res.body}`);
    await tagLatest(socketPath, image);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`built ${image} in ${Date.now() - started} ms`);
  return { image, built: true };
}

if (import.meta.main) {
  const log = (line: string) => console.error(line);
  const engine = await ensureDockerEngine({ log });
  if (!engine.ok) {
    console.error(`${engine.reason}\nhint: ${engine.hint}`);
    process.exit(1);
  }
  const { image } = await buildRunnerImage({ log, force: process.argv.includes('--force') });
  console.log(image);
}
