/**
 * Packages installed on this machine, found in the workspace's pnpm layout (`node_modules/.pnpm`), with
 * everything they depend on: what a test registry serves without any uplink to the internet.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** One installed package version and the folder holding its files. */
export interface LocalPackage {
  name: string;
  version: string;
  dir: string;
  /** Its package.json, unchanged. */
  manifest: PackageManifest;
}

/** The fields of a package.json this module reads; the rest is kept as it is. */
export interface PackageManifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

/** The repository's pnpm virtual store. */
export const WORKSPACE_STORE = resolve(import.meta.dirname, '../../node_modules/.pnpm');

function readManifest(dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/** Splits `name@version` (the name may be scoped). */
export function parseSpec(spec: string): { name: string; version: string } {
  const at = spec.lastIndexOf('@');
  if (at <= 0) throw new Error(`expected name@version, got ${spec}`);
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

/** The folder of `name@version` in the store (`.pnpm/<name with + for />@<version>[_peers]/node_modules/<name>`). */
function findInStore(store: string, name: string, version: string): string | undefined {
  const prefix = `${name.replace('/', '+')}@${version}`;
  for (const entry of readdirSync(store)) {
    if (entry !== prefix && !entry.startsWith(`${prefix}_`)) continue;
    const dir = join(store, entry, 'node_modules', name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

/**
 * In pnpm's layout a package's dependencies are its siblings: `.pnpm/<entry>/node_modules/<dep>` links
 * to the version pnpm resolved for it.
 */
function dependencyDir(packageDir: string, packageName: string, dep: string): string | undefined {
  const nodeModules = resolve(packageDir, ...packageName.split('/').map(() => '..'));
  const link = join(nodeModules, dep);
  return existsSync(join(link, 'package.json')) ? realpathSync(link) : undefined;
}

/**
 * `roots` (`name@version`) and their dependency closure as installed here.
 */
export function localPackageClosure(roots: string[], store = WORKSPACE_STORE): LocalPackage[] {
  const found = new Map<string, LocalPackage>();
  const visit = (dir: string) => {
    const manifest = readManifest(dir);
    const key = `${manifest.name}@${manifest.version}`;
    if (found.has(key)) return;
    found.set(key, { name: manifest.name, version: manifest.version, dir, manifest });
    // What npm installs: dependencies and the peers it adds itself (those not marked optional) must be
    // here. Optional dependencies and optional peers are served when installed here: npm skips an
    // optional dependency its registry lacks (the other platforms' native bindings), but it reads the
    // versions of optional peers to check that their ranges agree.
    const optionalPeers = Object.keys(manifest.peerDependencies ?? {}).filter(
      (peer) => manifest.peerDependenciesMeta?.[peer]?.optional === true,
    );
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter((p) => !optionalPeers.includes(p));
    const optional = [...Object.keys(manifest.optionalDependencies ?? {}), ...optionalPeers];
    for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...peers]) {
      if (optional.includes(dep)) continue;
      const depDir = dependencyDir(dir, manifest.name, dep);
      if (!depDir) throw new Error(`${key} needs ${dep}, which is not installed next to it in ${store}`);
      visit(depDir);
    }
    for (const dep of optional) {
      const depDir = dependencyDir(dir, manifest.name, dep);
      if (depDir) visit(depDir);
    }
  };
  for (const spec of roots) {
    const { name, version } = parseSpec(spec);
    const dir = findInStore(store, name, version);
    if (!dir) throw new Error(`${spec} is not installed on this machine (looked in ${store})`);
    visit(realpathSync(dir));
  }
  return [...found.values()].sort((a, b) => `${a.name}@${a.version}`.localeCompare(`${b.name}@${b.version}`));
}
