/**
 * Benchmark of publishing an app on the runner against a bare `docker run` of the same image and
 * command, both measured in the same run on this host:
 *
 *   publish (first version) -> first answer at the app's public origin   vs `docker run -d -p` -> first answer
 *   republish (a second version, while the first serves)                  (same baseline)
 *   roll back to the previous version -> first answer                     (no reinstall: a process start)
 *
 * Usage: node sandbox-runner/bench/publish.ts [--samples=N]
 * Traffic goes only to the runner on 127.0.0.1 and to containers this run creates (their ports
 * published on 127.0.0.1).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSandboxImage } from '../../infra/sandbox/build.ts';
import { ensureDockerEngine } from '../../infra/stack/docker.ts';
import { loopbackRequest } from '../../infra/stack/loopback-http.ts';
import { buildApp } from '../src/app.ts';
import { defineConfig } from '../src/config.ts';
import type { DeploymentInfo, PublishRequest } from '../src/contract.ts';
import { signRunnerToken } from '../src/tokens.ts';

const raw = process.argv.find((a) => a.startsWith('--samples='));
const SAMPLES = raw ? Number(raw.split('=')[1]) : 5;
const SECRET = 'bench-secret-0123456789abcdef';
const PORT = 8080;
const APP = `require('node:http').createServer((q, s) => s.end('ok')).listen(${PORT}, '0.0.0.0');\n`;

const log = (line: string) => console.error(`[bench] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
};

/** Polls `url` (bounded) until it answers 200; throws past 60 s. */
async function firstAnswer(url: string): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const res = await loopbackRequest(url).catch(() => null);
    if (res?.status === 200) return;
    if (performance.now() > deadline)
      throw new Error(`${url} did not answer: ${res?.status ?? 'no connection'}`);
    await sleep(10);
  }
}

function docker(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(err.trim()))));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function main(): Promise<void> {
  const engine = await ensureDockerEngine({ log });
  if (!engine.ok) throw new Error(`${engine.reason}\nhint: ${engine.hint}`);
  const { image } = await buildSandboxImage({ log, socketPath: engine.socketPath });

  const config = defineConfig({
    secret: SECRET,
    image,
    dockerSocket: engine.socketPath,
    runnerId: `bench-${randomBytes(3).toString('hex')}`,
    logLevel: 'error',
    defaultLimits: { memoryMb: 256, cpus: 1, pids: 128, workspaceMb: 64 },
    poolSize: 0,
  });
  const app = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const dir = await mkdtemp(join(tmpdir(), 'samokoder-bench-publish-'));
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'server.js'), APP, { mode: 0o644 });

  const body: PublishRequest = {
    files: [{ path: 'server.js', content: APP }],
    command: 'node server.js',
    port: PORT,
  };
  const call = async (projectId: string, method: string, path: string, json?: unknown) => {
    const token = await signRunnerToken(SECRET, projectId, { ttlSeconds: 600 });
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      ...(json ? { body: JSON.stringify(json) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as DeploymentInfo | null;
  };

  const first: number[] = [];
  const next: number[] = [];
  const rollback: number[] = [];
  const bare: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const project = `bench-publish-${i}-${randomBytes(3).toString('hex')}`;
      let started = performance.now();
      const info = await call(project, 'POST', '/v1/deployment', body);
      await firstAnswer(`${info?.url ?? ''}/`);
      first.push(performance.now() - started);

      started = performance.now();
      await call(project, 'POST', '/v1/deployment', body);
      await firstAnswer(`${info?.url ?? ''}/`);
      next.push(performance.now() - started);

      started = performance.now();
      await call(project, 'POST', '/v1/deployment/rollback', { version: 1 });
      await firstAnswer(`${info?.url ?? ''}/`);
      rollback.push(performance.now() - started);
      await call(project, 'DELETE', '/v1/deployment?data=true');

      const hostPort = await freePort();
      started = performance.now();
      const id = await docker([
        'run',
        '-d',
        '--label',
        'samokoder.runner=bench-baseline',
        '-p',
        `127.0.0.1:${hostPort}:${PORT}`,
        '-v',
        `${dir}:/app:ro`,
        '-w',
        '/app',
        '--entrypoint',
        'node',
        image,
        'server.js',
      ]);
      await firstAnswer(`http://127.0.0.1:${hostPort}/`);
      bare.push(performance.now() - started);
      await docker(['rm', '-f', id]);
      log(`sample ${i + 1}/${SAMPLES} done`);
    }
  } finally {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }

  const baseline = median(bare);
  const rows: [string, number][] = [
    ['publish, first version -> first answer', median(first)],
    ['republish, next version -> first answer', median(next)],
    ['roll back to the kept version -> first answer', median(rollback)],
    ['bare docker run -d -p -> first answer (baseline)', baseline],
  ];
  console.log(`\nPublishing an app (median of ${SAMPLES}; a one-file node server, no install)\n`);
  console.log('| step | median ms | vs docker run |');
  console.log('| --- | ---: | ---: |');
  for (const [name, ms] of rows)
    console.log(`| ${name} | ${ms.toFixed(0)} | ${(ms / baseline).toFixed(2)}x |`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
