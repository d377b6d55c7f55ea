/**
 * Our Worker under plain `workerd serve`: bundled as a deploy bundles it (`wrangler deploy --dry-run`),
 * served by the workerd binary the repository already installs, with the config of workerd-config.ts.
 * No wrangler, no miniflare, no dev proxy: one workerd process, whose memory is the runtime's and ours.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../../../infra/stack/config.ts';
import { startProcess, type ManagedProcess } from '../../../infra/stack/process.ts';
import { httpOk, waitUntil } from '../../../infra/stack/wait.ts';
import { ROUTER_SOURCE, workerdConfig, wranglerCompatibility } from './workerd-config.ts';

/** The workerd binary wrangler itself runs (miniflare's dependency), so both run the same runtime. */
export function workerdBinary(): string {
  // pnpm's links: a package's own dependencies are found from its real directory.
  const fromWrangler = createRequire(realpathSync(join(repoRoot, 'node_modules/wrangler/package.json')));
  const fromMiniflare = createRequire(fromWrangler.resolve('miniflare'));
  return join(fromMiniflare.resolve('workerd/package.json'), '..', 'bin', 'workerd');
}

/**
 * `wrangler deploy --dry-run`: the Worker as a deploy uploads it, one module in `outdir` named after the
 * entry (`index.js`); returns its file name. `entry` (relative to the repository) replaces wrangler.toml's
 * `main`, as `wrangler dev <entry>` does.
 */
export function bundleWorker(outdir: string, entry?: string): string {
  rmSync(outdir, { recursive: true, force: true });
  const res = spawnSync(
    join(repoRoot, 'node_modules/.bin/wrangler'),
    ['deploy', ...(entry ? [entry] : []), '--dry-run', '--outdir', outdir],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_SEND_METRICS: 'false' },
    },
  );
  if (res.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${res.stdout}\n${res.stderr}`);
  const modules = readdirSync(outdir).filter((f) => /\.m?js$/.test(f));
  if (modules.length !== 1) throw new Error(`expected one module in ${outdir}, found: ${modules.join(', ')}`);
  return modules[0]!;
}

/** The vars of a `.env` file the stack wrote for `wrangler dev` (values single-quoted, or JSON). */
export function readEnvFile(file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const raw = line.slice(eq + 1);
    vars[line.slice(0, eq)] = raw.startsWith('"')
      ? (JSON.parse(raw) as string)
      : raw.replace(/^'(.*)'$/, '$1');
  }
  return vars;
}

export interface PlainWorkerd {
  url: string;
  process: ManagedProcess;
}

/**
 * Bundles the Worker (`entry`, or wrangler.toml's `main`) and serves it on 127.0.0.1:`port` with `vars`,
 * keeping its config, Durable Object storage and log in `dir` (emptied first). Resolves once
 * `/api/health/live` answers.
 */
export async function startPlainWorkerd(opts: {
  dir: string;
  port: number;
  vars: Record<string, string>;
  entry?: string;
}) {
  const { dir, port, vars } = opts;
  rmSync(dir, { recursive: true, force: true });
  const storage = join(dir, 'do-storage');
  mkdirSync(storage, { recursive: true });
  const module = bundleWorker(join(dir, 'bundle'), opts.entry);
  writeFileSync(join(dir, 'router.js'), ROUTER_SOURCE);
  const { date, flags } = wranglerCompatibility(join(repoRoot, 'wrangler.toml'));
  const config = join(dir, 'config.capnp');
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(
    config,
    workerdConfig({
      address: `127.0.0.1:${port}`,
      bundle: `bundle/${module}`,
      router: 'router.js',
      assets: join(repoRoot, 'web/build'),
      storage,
      compatibilityDate: date,
      compatibilityFlags: flags,
      vars,
    }),
    { mode: 0o600 },
  );
  const proc = startProcess({
    name: 'plain-workerd',
    command: workerdBinary(),
    args: ['serve', config, '--experimental'],
    cwd: dir,
    logFile: join(dir, 'workerd.log'),
  });
  try {
    await waitUntil('workerd serve', () => httpOk(`${url}/api/health/live`), {
      timeoutMs: 90_000,
      process: proc,
    });
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url, process: proc } satisfies PlainWorkerd;
}
