/**
 * How long an `npm install` in a sandbox takes to succeed, and to fail, against a real registry
 * (Verdaccio over HTTPS with a private CA, on the gateway of a Docker network this run creates):
 *
 *   install, CA configured          vs the same install by the host's npm
 *   untrusted certificate (no CA)    with the runner's npm settings vs npm's defaults
 *   registry not answering           with the runner's npm settings vs npm's defaults
 *
 * Usage: node sandbox-runner/bench/registry.ts [--samples=N]   (npm's defaults take over a minute each)
 * Traffic goes only to the runner on 127.0.0.1, to containers and the network this run creates, and to
 * the registry it starts on that network's gateway.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestRegistry } from '../../infra/npm-registry/test-registry.ts';
import type { ExecEvent, SandboxInfo } from '../src/contract.ts';
import { signRunnerToken } from '../src/tokens.ts';
import { openEgressRunners } from './egress-runners.ts';

const SAMPLES = Number(process.argv.find((a) => a.startsWith('--samples='))?.split('=')[1] ?? 1);
const SECRET = 'bench-secret-0123456789abcdef';
const PACKAGE = { name: 'app', version: '0.1.0', private: true, dependencies: { 'fill-range': '7.1.1' } };
/** npm's own defaults, which a sandbox would have without the runner's settings. */
const NPM_DEFAULTS = {
  npm_config_fetch_retries: '2',
  npm_config_fetch_retry_mintimeout: '10000',
  npm_config_fetch_retry_maxtimeout: '60000',
  npm_config_fetch_timeout: '300000',
};

const log = (line: string) => console.error(`[bench] ${line}`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const runners = await openEgressRunners(SECRET, log);

async function api(base: string, method: string, path: string, body?: unknown): Promise<Response> {
  const token = await signRunnerToken(SECRET, 'bench-registry');
  return fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
}

/** A new egress sandbox with the package.json; returns its id. */
async function sandbox(base: string): Promise<string> {
  const res = await api(base, 'POST', '/v1/sandboxes', { network: 'egress' });
  const { id } = (await res.json()) as SandboxInfo;
  await api(base, 'PUT', `/v1/sandboxes/${id}/files`, {
    files: [{ path: 'package.json', content: JSON.stringify(PACKAGE) }],
  });
  return id;
}

/** `npm install` in a fresh sandbox: ms and exit code. */
async function installInSandbox(base: string, env: Record<string, string> = {}) {
  const id = await sandbox(base);
  const started = performance.now();
  const res = await api(base, 'POST', `/v1/sandboxes/${id}/exec`, {
    command: 'npm install --no-audit --no-fund',
    env,
    timeoutMs: 600_000,
  });
  const events = (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ExecEvent);
  const ms = performance.now() - started;
  await api(base, 'DELETE', `/v1/sandboxes/${id}`);
  const exit = events.find((e) => e.type === 'exit');
  return { ms, code: exit?.type === 'exit' ? exit.exitCode : null };
}

/** The same install by the host's npm, in a fresh folder and cache. */
function installOnHost(registry: string, ca: string): Promise<{ ms: number; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'samokoder-bench-npm-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify(PACKAGE));
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--update-notifier=false',
        `--registry=${registry}`,
        `--cafile=${ca}`,
        `--cache=${join(dir, '.npm')}`,
      ],
      { cwd: dir, timeout: 600_000 },
      (err) => {
        rmSync(dir, { recursive: true, force: true });
        resolve({ ms: performance.now() - started, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
      },
    );
  });
}

async function closedPort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, host, r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function sample(fn: () => Promise<{ ms: number; code: number | null }>, expectOk: boolean) {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const { ms, code } = await fn();
    if ((code === 0) !== expectOk) throw new Error(`unexpected exit code ${code}`);
    times.push(ms);
  }
  return median(times);
}

let stopRegistry = async () => {};
try {
  const gateway = await runners.gateway();
  const registry = await startTestRegistry({ host: gateway, packages: ['fill-range@7.1.1'] });
  stopRegistry = () => registry.stop();
  const trusting = await runners.start({ caCertsFile: registry.caCertFile, npmRegistry: registry.url });
  const untrusting = await runners.start({ npmRegistry: registry.url });
  const dead = `https://${gateway}:${await closedPort(gateway)}/`;

  const rows: [string, string, string, string][] = [];
  log('install with the CA');
  rows.push([
    'install (3 packages), CA configured',
    seconds(await sample(() => installInSandbox(trusting), true)),
    "host's npm, same registry",
    seconds(await sample(() => installOnHost(registry.url, registry.caCertFile), true)),
  ]);
  log('untrusted certificate');
  rows.push([
    'untrusted certificate: fails after',
    seconds(await sample(() => installInSandbox(untrusting), false)),
    "npm's default retries",
    seconds(await sample(() => installInSandbox(untrusting, NPM_DEFAULTS), false)),
  ]);
  log('registry not answering');
  rows.push([
    'registry not answering: fails after',
    seconds(await sample(() => installInSandbox(trusting, { npm_config_registry: dead }), false)),
    "npm's default retries",
    seconds(
      await sample(() => installInSandbox(trusting, { npm_config_registry: dead, ...NPM_DEFAULTS }), false),
    ),
  ]);

  const header: [string, string, string, string] = [
    'case',
    'sandbox (runner settings)',
    'baseline',
    'baseline time',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log(`(median of ${SAMPLES} run${SAMPLES === 1 ? '' : 's'} each)`);
} finally {
  await runners.close();
  await stopRegistry();
}
