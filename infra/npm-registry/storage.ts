/**
 * Verdaccio's storage folder written directly from packages installed on this machine: for each name a
 * `package.json` (the packument Verdaccio serves) and one `.tgz` per version, as `npm publish` would
 * leave them. Much faster than publishing one by one, and no registry is needed to make it. Cached by
 * the list of packages, so a second start reuses the folder.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { LocalPackage } from './local-packages.ts';

const CACHE_DIR = resolve(import.meta.dirname, '../../.cache/npm-registry');

/** The tarball's file name as npm names it: `<name without scope>-<version>.tgz`. */
function tarballName(pkg: LocalPackage): string {
  return `${pkg.name.split('/').pop()}-${pkg.version}.tgz`;
}

/**
 * Packs the folder under `package/` like `npm pack` (without running scripts). Hard links are stored
 * as files: pnpm's store links identical files, and npm's extractor skips link entries.
 */
function pack(pkg: LocalPackage, file: string): { shasum: string; integrity: string } {
  execFileSync('tar', [
    '-czf',
    file,
    '-C',
    pkg.dir,
    '--exclude=./node_modules',
    '--hard-dereference',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--transform=s,^\\.,package,',
    '.',
  ]);
  const bytes = readFileSync(file);
  return {
    shasum: createHash('sha1').update(bytes).digest('hex'),
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
  };
}

function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function writeName(storage: string, versions: LocalPackage[]): void {
  const name = versions[0]!.name;
  const dir = join(storage, ...name.split('/'));
  mkdirSync(dir, { recursive: true });
  const now = new Date().toISOString();
  const packument = {
    name,
    'dist-tags': {
      latest: versions
        .map((v) => v.version)
        .sort(compareVersions)
        .at(-1),
    },
    versions: {} as Record<string, unknown>,
    time: { created: now, modified: now } as Record<string, string>,
    _uplinks: {},
    _distfiles: {},
    _attachments: {} as Record<string, unknown>,
    _rev: '1-0000000000000000',
    readme: '',
  };
  for (const pkg of versions) {
    const file = tarballName(pkg);
    const { shasum, integrity } = pack(pkg, join(dir, file));
    // Verdaccio rewrites the tarball URL to its own address when it serves the packument.
    packument.versions[pkg.version] = {
      ...pkg.manifest,
      _id: `${name}@${pkg.version}`,
      dist: { shasum, integrity, tarball: `http://localhost/${name}/-/${file}` },
    };
    packument.time[pkg.version] = now;
    packument._attachments[file] = { shasum, version: pkg.version };
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(packument, null, 2));
}

/** Storage folders nobody used for a day go (another run may be serving a recent one right now). */
function pruneUnused(): void {
  if (!existsSync(CACHE_DIR)) return;
  for (const entry of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, entry);
    if (Date.now() - statSync(path).mtimeMs > 24 * 3600_000) rmSync(path, { recursive: true, force: true });
  }
}

/** The storage folder serving `packages`, made once and reused while the list is the same. */
export function registryStorage(packages: LocalPackage[]): string {
  const key = createHash('sha256')
    .update(readFileSync(import.meta.filename))
    .update(JSON.stringify(packages.map((p) => [p.name, p.version, p.dir])))
    .digest('hex')
    .slice(0, 16);
  const storage = join(CACHE_DIR, `storage-${key}`);
  if (existsSync(join(storage, '.verdaccio-db.json'))) {
    const now = new Date();
    utimesSync(storage, now, now); // in use: kept by the pruning below
    return storage;
  }
  pruneUnused();
  // Made in a private folder and renamed into place: two test files may make the same one at once.
  const work = join(CACHE_DIR, `tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(work, { recursive: true });
  try {
    const byName = new Map<string, LocalPackage[]>();
    for (const pkg of packages) byName.set(pkg.name, [...(byName.get(pkg.name) ?? []), pkg]);
    for (const versions of byName.values()) writeName(work, versions);
    // Verdaccio keeps its list of local packages and its token secret (32 characters) here; written now so that
    // registries sharing this folder never write to it.
    writeFileSync(
      join(work, '.verdaccio-db.json'),
      JSON.stringify({ list: [...byName.keys()], secret: randomBytes(16).toString('hex') }),
    );
    try {
      renameSync(work, storage);
    } catch (err) {
      if (!existsSync(join(storage, '.verdaccio-db.json'))) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return storage;
}
