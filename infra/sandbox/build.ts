/**
 * Builds the default sandbox image `samokoder/sandbox-node:<hash>` (also tagged `:latest`) without a
 * registry: assemble a root filesystem from host files (see rootfs.ts), tar it and `docker import` it
 * through the Engine API. Cached: the tag is a hash of the inputs (these scripts, the Node, npm and
 * busybox versions), and nothing is rebuilt while an image with that tag exists.
 *
 * CLI: `node infra/sandbox/build.ts [--force]` starts the engine if needed and prints the image name.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { ensureDockerEngine, pingDocker } from '../stack/docker.ts';
import { assembleRootfs, findRootfsInputs } from './rootfs.ts';
import type { RootfsInputs } from './rootfs.ts';

/** Repository of the default sandbox image. */
export const SANDBOX_IMAGE_REPO = 'samokoder/sandbox-node';

/** Options of {@link buildSandboxImage}. */
export interface BuildSandboxImageOptions {
  log?: (line: string) => void;
  /** Rebuild even when the tagged image exists. */
  force?: boolean;
  /** Engine socket; defaults to `DOCKER_SOCKET` or `/var/run/docker.sock`. */
  socketPath?: string;
}

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const CACHE_DIR = join(REPO_ROOT, '.cache', 'sandbox-image');

/** Uid/gid of the `sandbox` user; the runner runs every command as this user. */
export const SANDBOX_UID = 1000;

const IMAGE_CHANGES = [
  'ENV PATH=/usr/local/bin:/usr/bin:/bin',
  'ENV HOME=/workspace',
  'WORKDIR /workspace',
  `USER ${SANDBOX_UID}:${SANDBOX_UID}`,
  'CMD ["/bin/sh"]',
];

interface EngineResponse {
  status: number;
  body: string;
}

function engine(
  socketPath: string,
  method: string,
  path: string,
  body?: NodeJS.ReadableStream,
  headers: Record<string, string | number> = {},
): Promise<EngineResponse> {
  return new Promise((done, fail) => {
    const req = request({ socketPath, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
      res.on('error', fail);
    });
    req.on('error', fail);
    if (body) body.pipe(req);
    else req.end();
  });
}

/** The cache key: changes to the scripts or to any input version give a new tag. */
export function sandboxImageTag(inputs: RootfsInputs): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(import.meta.filename));
  hash.update(readFileSync(join(import.meta.dirname, 'rootfs.ts')));
  hash.update(JSON.stringify([inputs.nodeVersion, inputs.npmVersion, inputs.busyboxVersion]));
  return hash.digest('hex').slice(0, 12);
}

async function imageExists(socketPath: string, image: string): Promise<boolean> {
  const res = await engine(socketPath, 'GET', `/images/${encodeURIComponent(image)}/json`);
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  throw new Error(`docker image inspect ${image}: HTTP ${res.status} ${res.body}`);
}

async function tagLatest(socketPath: string, image: string): Promise<void> {
  const query = new URLSearchParams({ repo: SANDBOX_IMAGE_REPO, tag: 'latest' });
  const res = await engine(socketPath, 'POST', `/images/${encodeURIComponent(image)}/tag?${query}`);
  if (res.status !== 201) throw new Error(`docker tag ${image} latest: HTTP ${res.status} ${res.body}`);
}

/** `docker import` of a tar file; the engine answers with a JSON progress stream that may carry an error. */
async function importTar(socketPath: string, tarFile: string, tag: string): Promise<void> {
  const query = new URLSearchParams({ fromSrc: '-', repo: SANDBOX_IMAGE_REPO, tag });
  for (const change of [...IMAGE_CHANGES, `LABEL samokoder.image=sandbox-node samokoder.inputs=${tag}`]) {
    query.append('changes', change);
  }
  const res = await engine(socketPath, 'POST', `/images/create?${query}`, createReadStream(tarFile), {
    'content-type': 'application/x-tar',
    'content-length': statSync(tarFile).size,
  });
  const failure = res.body
    .split('\n')
    .filter((line) => line.includes('"error"'))
    .join('\n');
  if (res.status !== 200 || failure)
    throw new Error(`docker import: HTTP ${res.status} ${failure || res.body}`);
}

/**
 * Returns the default sandbox image, building it only when its input-hash tag is absent.
 * Throws when the engine does not answer or an input is missing (the error says what to install).
 */
export async function buildSandboxImage(
  opts: BuildSandboxImageOptions = {},
): Promise<{ image: string; built: boolean }> {
  const log = opts.log ?? (() => {});
  const socketPath = opts.socketPath ?? process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
  if (!(await pingDocker(socketPath))) {
    throw new Error(`no Docker engine answers on ${socketPath}: call ensureDockerEngine() first`);
  }
  const inputs = findRootfsInputs();
  const tag = sandboxImageTag(inputs);
  const image = `${SANDBOX_IMAGE_REPO}:${tag}`;
  if (!opts.force && (await imageExists(socketPath, image))) {
    await tagLatest(socketPath, image);
    return { image, built: false };
  }

  log(
    `building ${image} (node ${inputs.nodeVersion}, npm ${inputs.npmVersion}, busybox ${inputs.busyboxVersion})`,
  );
  const started = Date.now();
  // A private folder per build: two processes may build the same tag at once, and that is harmless.
  const work = join(CACHE_DIR, `build-${process.pid}-${randomBytes(4).toString('hex')}`);
  const root = join(work, 'root');
  const tarFile = join(work, 'rootfs.tar');
  mkdirSync(root, { recursive: true });
  try {
    assembleRootfs(root, inputs);
    // Two steps so ownership is right without needing root for chown: everything root-owned, then
    // the workspace appended as the sandbox user.
    const owner = (id: number) => [`--owner=${id}`, `--group=${id}`, '--numeric-owner'];
    execFileSync('tar', ['-C', root, ...owner(0), '--exclude=./workspace', '-cf', tarFile, '.']);
    execFileSync('tar', ['-C', root, ...owner(SANDBOX_UID), '--no-recursion', '-rf', tarFile, './workspace']);
    await importTar(socketPath, tarFile, tag);
    await tagLatest(socketPath, image);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`built ${image} in ${Date.now() - started} ms`);
  return { image, built: true };
}

if (import.meta.main) {
  const log = (line: string) => console.error(line);
  const engineStatus = await ensureDockerEngine({ log });
  if (!engineStatus.ok) {
    console.error(`${engineStatus.reason}\nhint: ${engineStatus.hint}`);
    process.exit(1);
  }
  try {
    const { image } = await buildSandboxImage({ log, force: process.argv.includes('--force') });
    console.log(image);
  } catch (err) {
    const hint = err instanceof Error && 'hint' in err ? `\nhint: ${String(err.hint)}` : '';
    console.error(`${err instanceof Error ? err.message : String(err)}${hint}`);
    process.exit(1);
  }
}
