/**
 * A published app, one story on one deployment: it answers at its own public origin, comes back after
 * its process crashes and after its container is killed, keeps its data across both and across a new
 * version, switches back to the previous version at once (no reinstall), cannot reach the runner's API,
 * is served again on the same origin with its data after the runner restarts, and is gone (404) once
 * unpublished.
 */
import { access } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackRequest } from '../../infra/stack/loopback-http.ts';
import type { DeploymentInfo, DeploymentLogsResponse, PublishRequest } from '../src/contract.ts';
import { docker, restartRunner, SECRET, startRunner } from './helpers.ts';
import type { Client, TestRunner } from './helpers.ts';
import { removeTestNetwork, testNetworkName } from './egress-network.ts';

/** The app: its version, the visits it counted in its data directory, and a few probes. */
const app = (version: string) => String.raw`
const http = require('node:http');
const fs = require('node:fs');
const net = require('node:net');
const visits = require('node:path').join(process.env.DATA_DIR, 'visits.txt');
const installedAt = fs.readFileSync('installed-at.txt', 'utf8').trim();
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://app');
  if (url.pathname === '/crash') { res.end('bye'); setTimeout(() => process.exit(3), 20); return; }
  if (url.pathname === '/visit') fs.appendFileSync(visits, 'x');
  if (url.pathname === '/env') return res.end(JSON.stringify(process.env));
  if (url.pathname === '/probe') {
    const socket = net.connect(Number(url.searchParams.get('port')), url.searchParams.get('host'));
    socket.setTimeout(3000);
    socket.on('connect', () => { res.end('connected'); socket.destroy(); });
    socket.on('error', (err) => res.end('failed: ' + err.code));
    socket.on('timeout', () => { res.end('failed: timeout'); socket.destroy(); });
    return;
  }
  const count = fs.existsSync(visits) ? fs.readFileSync(visits, 'utf8').length : 0;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ version: '${version}', visits: count, pid: process.pid, installedAt }));
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('${version} listening'));
`;

const publishBody = (version: string): PublishRequest => ({
  files: [{ path: 'server.js', content: app(version) }],
  install: 'date +%s%N > installed-at.txt && echo installed',
  command: 'node server.js',
  port: 8080,
  network: 'egress',
});

interface Page {
  version: string;
  visits: number;
  pid: number;
  installedAt: string;
}

let runner: TestRunner;
let client: Client;
let origin: string;
const network = testNetworkName();

beforeAll(async () => {
  runner = await startRunner({ egressNetwork: network });
  client = runner.client();
});
afterAll(async () => {
  await runner.close();
  await removeTestNetwork(docker, network);
});

const get = (path: string) => loopbackRequest(`${origin}${path}`);
const page = async (): Promise<Page> => {
  const res = await get('/');
  expect(res.status).toBe(200);
  return res.json<Page>();
};

/** The app's page once `ready` holds for it, polled (bounded) while the runner brings it back. */
async function pageWhen(ready: (p: Page) => boolean): Promise<Page> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const res = await get('/').catch(() => null);
    if (res?.status === 200) {
      const body = res.json<Page>();
      if (ready(body)) return body;
    }
    if (Date.now() > deadline) {
      const logs = await client.request<DeploymentLogsResponse>('GET', '/v1/deployment/logs');
      throw new Error(`the app did not come back: ${res?.status} ${res?.text()}\n${logs.body.data}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const info = async () => (await client.request<DeploymentInfo>('GET', '/v1/deployment')).body;
const liveContainer = () => runner.app.deployments.get(client.projectId).current?.launched?.container;

describe('a published app', () => {
  let first: Page;

  it('answers at its own public origin, with no link token', async () => {
    const res = await client.request<DeploymentInfo>('POST', '/v1/deployment', publishBody('v1'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'running', current: 1, dataDir: '/data' });
    origin = res.body.url;
    expect(origin).toMatch(/^http:\/\/[a-z2-7]{26}-app\.localhost:\d+$/);
    await get('/visit');
    await get('/visit');
    first = await page();
    expect(first).toMatchObject({ version: 'v1', visits: 2 });
    // Another project sees no deployment of this one.
    expect((await runner.client().request('GET', '/v1/deployment')).status).toBe(404);
  });

  it('holds no platform secret and cannot reach the runner', async () => {
    const env = (await get('/env')).text();
    expect(env).not.toContain(SECRET);
    expect(Object.keys(JSON.parse(env) as object).filter((k) => /TOKEN|SECRET/i.test(k))).toEqual([]);
    const net = await docker.getNetwork(network).inspect();
    const gateway = (net as { IPAM?: { Config?: { Gateway?: string }[] } }).IPAM?.Config?.[0]?.Gateway;
    expect(gateway).toBeTruthy();
    const port = new URL(runner.base).port;
    for (const host of [gateway ?? '', '127.0.0.1']) {
      expect((await get(`/probe?host=${host}&port=${port}`)).text()).toMatch(/^failed: /);
    }
  });

  it('comes back by itself when its process crashes', async () => {
    await get('/crash');
    const back = await pageWhen((p) => p.pid !== first.pid);
    expect(back).toMatchObject({ version: 'v1', visits: 2 });
    expect(await info()).toMatchObject({ status: 'running', restarts: 1 });
    const logs = await client.request<DeploymentLogsResponse>('GET', '/v1/deployment/logs');
    expect(logs.body.data).toContain('v1 listening');
    expect(logs.body.data).toContain('the app exited with code 3');
  });

  it('comes back in a new container when its container is killed, its data kept', async () => {
    const container = liveContainer();
    expect(container).toBeDefined();
    await container?.kill();
    await pageWhen((p) => p.installedAt !== first.installedAt);
    await get('/visit');
    expect(await page()).toMatchObject({ version: 'v1', visits: 3 });
    first = await page();
  });

  it('serves a new version once republished, with the same data', async () => {
    const res = await client.request<DeploymentInfo>('POST', '/v1/deployment', publishBody('v2'));
    expect(res.status).toBe(201);
    expect(res.body.url).toBe(origin);
    expect(res.body.versions.map((v) => [v.version, v.ready])).toEqual([
      [2, true],
      [1, true],
    ]);
    expect(await page()).toMatchObject({ version: 'v2', visits: 3 });
  });

  it('rolls back to the previous version at once, without installing it again', async () => {
    const res = await client.request<DeploymentInfo>('POST', '/v1/deployment/rollback', { version: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ current: 1, status: 'running' });
    expect(await page()).toMatchObject({ version: 'v1', visits: 3, installedAt: first.installedAt });
  });

  it('keeps the live version when a new one does not start, and says why', async () => {
    const broken = { ...publishBody('v3'), command: 'echo "boot failed" >&2; exit 7' };
    const res = await client.request<{ error: { code: string; message: string } }>(
      'POST',
      '/v1/deployment',
      broken,
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('publish_failed');
    expect(res.body.error.message).toContain('exited with 7');
    expect(res.body.error.message).toContain('boot failed');
    expect(await page()).toMatchObject({ version: 'v1', visits: 3 });
    expect(await info()).toMatchObject({ current: 1, status: 'running' });
  });

  it('is served again on the same origin, with its data, after the runner restarts', async () => {
    runner = await restartRunner(runner);
    // Installed again from what the runner kept on disk: the live version (1), its data as it was.
    const back = await pageWhen((p) => p.installedAt !== first.installedAt);
    expect(back).toMatchObject({ version: 'v1', visits: 3 });
    expect(await info()).toMatchObject({
      url: origin,
      current: 1,
      status: 'running',
      versions: [{ version: 2 }, { version: 1 }],
    });
    const logs = await client.request<DeploymentLogsResponse>('GET', '/v1/deployment/logs');
    expect(logs.body.data).toContain('the runner restarted: starting version 1 again');
    // The version kept besides it is installed again on a rollback, from its kept files.
    const res = await client.request<DeploymentInfo>('POST', '/v1/deployment/rollback', { version: 2 });
    expect(res.status).toBe(200);
    expect(await page()).toMatchObject({ version: 'v2', visits: 3 });
  });

  it('is gone once unpublished, its data deleted when asked', async () => {
    const dataDir = join(runner.config.workspaceDir, 'published-data', new URL(origin).hostname.slice(0, 26));
    await access(dataDir);
    expect((await client.request('DELETE', '/v1/deployment?data=true')).status).toBe(204);
    const gone = await loopbackRequest(`${origin}/`, { headers: { accept: 'text/html' } });
    expect(gone.status).toBe(404);
    expect(gone.text()).toContain('No app is published here');
    expect((await client.request('GET', '/v1/deployment')).status).toBe(404);
    await expect(access(dataDir)).rejects.toThrow();
    // Nothing of it is kept for a restart either.
    const kept = join(
      runner.config.workspaceDir,
      'published-apps',
      runner.config.runnerId,
      basename(dataDir),
    );
    await expect(access(kept)).rejects.toThrow();
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`samokoder.runner=${runner.config.runnerId}`] },
    });
    expect(left).toEqual([]);
  });
});
