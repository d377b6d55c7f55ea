/**
 * Dependencies install wherever the host can install them: a real registry (Verdaccio) serves HTTPS
 * with a private CA on the gateway of this run's egress network, like a registry behind a TLS-inspecting
 * proxy. Sandboxes trust it only when the runner is configured with the CA, reach it through a proxy
 * when told to, fail fast when it cannot be reached, and the Vite + TypeScript stack of the catalog
 * installs, passes its tests and serves its dev server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRegistry } from '../../infra/npm-registry/test-registry.ts';
import type { TestRegistry } from '../../infra/npm-registry/test-registry.ts';
import { stackById } from '../../workers/src/core/catalog/catalog.ts';
import { classifyFailure } from '../../workers/src/core/agents/failure-kind.ts';
import type { Browser } from 'playwright-core';
import type { ExecRequest, PreviewInfo, ProcessInfo } from '../src/contract.ts';
import { DEFAULT_PACKAGE_ACCESS, SANDBOX_CA_CERTS_PATH } from '../src/sandbox/package-access.ts';
import type { PackageAccess } from '../src/sandbox/package-access.ts';
import { egressGateway, removeTestNetwork, testNetworkName } from './egress-network.ts';
import { launchTestBrowser } from './browser.ts';
import { docker, startRunner } from './helpers.ts';
import type { Client, ExecResult, TestRunner } from './helpers.ts';

/** The registry's name for clients that go through the proxy (the proxy resolves it; `.test` names exist nowhere else). */
const REGISTRY_NAME = 'samokoder-registry.test';
const SMALL_PACKAGE = 'fill-range@7.1.1'; // depends on to-regex-range, which depends on is-number
const VITE_STACK = stackById('vite-ts')!;
const VITE_PACKAGES = Object.entries(
  (
    JSON.parse(VITE_STACK.scaffold.find((f) => f.path === 'package.json')!.content) as {
      devDependencies: Record<string, string>;
    }
  ).devDependencies,
).map(([name, version]) => `${name}@${version}`);

const network = testNetworkName();
let gateway: string;
let registry: TestRegistry;
let browser: Browser;
const runners: TestRunner[] = [];

/** A runner on this run's egress network whose sandboxes install from the test registry. */
async function runnerWith(access: Partial<PackageAccess>): Promise<TestRunner> {
  const runner = await startRunner({
    egressNetwork: network,
    packageAccess: { ...DEFAULT_PACKAGE_ACCESS, npmRegistry: registry.url, ...access },
  });
  runners.push(runner);
  return runner;
}

/** Runs a command and measures how long it took. */
async function timed(client: Client, id: string, req: ExecRequest): Promise<ExecResult & { ms: number }> {
  const started = performance.now();
  const result = await client.exec(id, req);
  return { ...result, ms: performance.now() - started };
}

const output = (r: ExecResult) => `${r.stdout}\n${r.stderr}`;

/** Whose failure the agents' Executor takes a failed install for (failure-kind.ts). */
const kindOfInstall = (r: ExecResult) =>
  classifyFailure({
    command: 'npm install --no-audit --no-fund',
    output: output(r),
    timedOut: r.exit?.timedOut ?? false,
    network: true,
  });

/** A new egress sandbox holding a package.json that depends on the small package. */
async function sandboxNeedingSmallPackage(client: Client): Promise<string> {
  const { id } = await client.create({ network: 'egress' });
  const [name, version] = SMALL_PACKAGE.split('@') as [string, string];
  const pkg = { name: 'app', version: '0.1.0', private: true, dependencies: { [name]: version } };
  await client.request('PUT', `/v1/sandboxes/${id}/files`, {
    files: [{ path: 'package.json', content: JSON.stringify(pkg) }],
  });
  return id;
}

beforeAll(async () => {
  // The network exists once a runner made an egress sandbox on it; its gateway is the host's address
  // there, where the registry listens (reachable by this run's sandboxes, and from nowhere else).
  const probe = await startRunner({ egressNetwork: network });
  try {
    gateway = await egressGateway(docker, probe.client(), network);
  } finally {
    await probe.close();
  }
  browser = await launchTestBrowser();
  registry = await startTestRegistry({
    host: gateway,
    hostnames: [REGISTRY_NAME],
    packages: [SMALL_PACKAGE, ...VITE_PACKAGES],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const runner of runners) await runner.close();
  await registry?.stop();
  await removeTestNetwork(docker, network);
});

describe('installing dependencies from a registry behind a private CA', () => {
  it('installs a package and its dependencies when the runner is given the CA', async () => {
    const client = (await runnerWith({ caCertsFile: registry.caCertFile })).client();
    const id = await sandboxNeedingSmallPackage(client);
    const install = await timed(client, id, {
      command: 'npm install --no-audit --no-fund',
      timeoutMs: 120_000,
    });
    expect(install.exit?.exitCode, output(install)).toBe(0);
    expect(install.stdout).toMatch(/added 3 packages/);
    const run = await client.sh(id, `node -e "console.log(JSON.stringify(require('fill-range')(1, 3)))"`);
    expect(run.trim()).toBe('[1,2,3]');
    expect(await client.sh(id, 'npm ls --all --parseable | grep node_modules/ | sed "s,.*/,," | sort')).toBe(
      'fill-range\nis-number\nto-regex-range\n',
    );
  });

  it('fails with a certificate error, in seconds, without the CA', async () => {
    const client = (await runnerWith({})).client();
    const id = await sandboxNeedingSmallPackage(client);
    const install = await timed(client, id, {
      command: 'npm install --no-audit --no-fund',
      timeoutMs: 120_000,
    });
    expect(install.exit?.exitCode).not.toBe(0);
    expect(output(install)).toMatch(/SELF_SIGNED_CERT_IN_CHAIN/);
    // The platform's to fix (the operator's CA), not the code's: no agent is asked to debug it.
    expect(kindOfInstall(install)).toMatchObject({ kind: 'environment', cause: 'tls' });
    // npm's own settings retry for over a minute first; the runner's give up quickly.
    expect(install.ms).toBeLessThan(30_000);
  });

  it('fails in seconds, saying it could not connect, when the registry does not answer', async () => {
    const client = (await runnerWith({ caCertsFile: registry.caCertFile })).client();
    const id = await sandboxNeedingSmallPackage(client);
    const closed = await closedPort(gateway);
    const install = await timed(client, id, {
      command: 'npm install --no-audit --no-fund',
      env: { npm_config_registry: `https://${gateway}:${closed}/` },
      timeoutMs: 120_000,
    });
    expect(install.exit?.exitCode).not.toBe(0);
    // npm names the registry it could not reach and why.
    expect(output(install)).toContain(`request to https://${gateway}:${closed}/fill-range failed`);
    expect(output(install)).toMatch(/ECONNREFUSED/);
    expect(kindOfInstall(install)).toMatchObject({ kind: 'environment', cause: 'network' });
    expect(install.ms).toBeLessThan(30_000);
  });

  it('goes through the configured proxy, which only sandboxes with a network are told about', async () => {
    const proxy = await startConnectProxy(gateway, { [REGISTRY_NAME]: gateway });
    try {
      const client = (
        await runnerWith({
          caCertsFile: registry.caCertFile,
          npmRegistry: `https://${REGISTRY_NAME}:${registry.port}/`,
          httpsProxy: proxy.url,
          noProxy: 'example.internal',
        })
      ).client();
      const id = await sandboxNeedingSmallPackage(client);
      const install = await timed(client, id, {
        command: 'npm install --no-audit --no-fund',
        timeoutMs: 120_000,
      });
      expect(install.exit?.exitCode, output(install)).toBe(0);
      // The sandbox cannot resolve the name itself: the install worked through the proxy.
      expect(proxy.tunnels).toContain(`${REGISTRY_NAME}:${registry.port}`);
      expect(await client.sh(id, 'echo "$HTTPS_PROXY|$NO_PROXY"')).toBe(
        `${proxy.url}|localhost,127.0.0.1,::1,example.internal\n`,
      );

      const offline = await client.create();
      const env = await client.sh(offline.id, 'env');
      expect(env).not.toMatch(/proxy/i);
      expect(env).toContain(`NODE_EXTRA_CA_CERTS=${SANDBOX_CA_CERTS_PATH}`);
      expect(env).toContain(`npm_config_registry=https://${REGISTRY_NAME}:${registry.port}/`);
    } finally {
      await proxy.close();
    }
  });
});

describe('the Vite + TypeScript stack', () => {
  it('installs from the registry, passes its tests, builds, and serves its dev server, live-reloading at its preview origin', async () => {
    const client = (await runnerWith({ caCertsFile: registry.caCertFile })).client();
    // The catalog's scaffold (its pinned versions are what the registry serves) plus a little app.
    const { id } = await client.create({
      network: 'egress',
      limits: { memoryMb: 1536, cpus: 1, pids: 512, workspaceMb: 512 },
    });
    const files = [
      ...VITE_STACK.scaffold,
      {
        path: 'src/lib/sum.ts',
        content: 'export function sum(a: number, b: number): number {\n  return a + b;\n}\n',
      },
      {
        path: 'src/lib/sum.test.ts',
        content:
          "import { expect, it } from 'vitest';\nimport { sum } from './sum';\n\nit('adds', () => {\n  expect(sum(2, 3)).toBe(5);\n});\n",
      },
      {
        path: 'src/main.ts',
        content:
          "import { sum } from './lib/sum';\n\ndocument.querySelector('#app')!.textContent = `2 + 3 = ${sum(2, 3)}`;\n",
      },
    ];
    await client.request('PUT', `/v1/sandboxes/${id}/files`, { files });

    const install = await timed(client, id, { command: VITE_STACK.install!, timeoutMs: 300_000 });
    expect(install.exit?.exitCode, output(install)).toBe(0);

    const test = await timed(client, id, { command: VITE_STACK.test, timeoutMs: 120_000 });
    expect(test.exit?.exitCode, output(test)).toBe(0);
    expect(test.stdout).toMatch(/1 passed/);

    const build = await timed(client, id, { command: 'npm run build', timeoutMs: 120_000 });
    expect(build.exit?.exitCode, output(build)).toBe(0);
    expect(await client.sh(id, 'cat dist/index.html')).toMatch(
      /<script type="module" crossorigin src="\/assets\//,
    );

    const dev = await client.request<ProcessInfo>('POST', `/v1/sandboxes/${id}/processes`, {
      name: 'dev',
      command: VITE_STACK.start,
    });
    expect(dev.status).toBe(201);
    // Polls the dev server from inside the sandbox until it answers (bounded: 60 tries, 0.5 s apart).
    const page = await client.exec(id, {
      argv: ['node', '-e', FETCH_WHEN_UP, `http://127.0.0.1:${VITE_STACK.previewPort}/src/main.ts`],
      timeoutMs: 60_000,
    });
    expect(page.exit?.exitCode, output(page)).toBe(0);
    expect(page.stdout).toContain('from "/src/lib/sum.ts"');
    const html = await client.sh(
      id,
      `node -e "fetch('http://127.0.0.1:${VITE_STACK.previewPort}/').then((r) => r.text()).then(console.log)"`,
    );
    expect(html).toContain('<script type="module" src="/src/main.ts"></script>');

    // In a browser, at the app's own preview origin: the page renders, and an edit reaches it over the
    // dev server's WebSocket (Vite's HMR, proxied like any upgrade) without anyone reloading it.
    const preview = await client.request<PreviewInfo>('POST', `/v1/sandboxes/${id}/previews`, {
      port: VITE_STACK.previewPort,
    });
    const context = await browser.newContext();
    const tab = await context.newPage();
    const sockets: string[] = [];
    tab.on('websocket', (ws) => sockets.push(ws.url()));
    await tab.goto(preview.body.url);
    await tab.getByText('2 + 3 = 5').waitFor({ timeout: 30_000 });
    expect(sockets.some((url) => url.startsWith(preview.body.origin.replace('http', 'ws')))).toBe(true);
    await client.request('PUT', `/v1/sandboxes/${id}/files`, {
      files: [
        {
          path: 'src/lib/sum.ts',
          content: 'export function sum(a: number, b: number): number {\n  return a + b + 1;\n}\n',
        },
      ],
    });
    await tab.getByText('2 + 3 = 6').waitFor({ timeout: 30_000 });
    await context.close();
  });
});

const FETCH_WHEN_UP = `
const url = process.argv[1];
(async () => {
  for (let i = 0; i < 60; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return console.log(await res.text());
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  console.error('no answer from ' + url);
  process.exit(1);
})();
`;

/** A port on `host` where nothing listens (free a moment ago). */
async function closedPort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * An HTTPS proxy (HTTP CONNECT) on `host` that resolves the names in `routes` (name -> address) and
 * tunnels to those only (anything else is refused), recording each tunnel's target.
 */
async function startConnectProxy(
  host: string,
  routes: Record<string, string>,
): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const open = new Set<{ destroy(): void }>();
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client, head) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    const target = req.url ?? '';
    tunnels.push(target);
    const [targetHost, targetPort] = [
      target.slice(0, target.lastIndexOf(':')),
      target.slice(target.lastIndexOf(':') + 1),
    ];
    const address = routes[targetHost];
    if (!address) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(Number(targetPort), address, () => {
      open.add(upstream);
      upstream.on('close', () => open.delete(upstream));
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of open) socket.destroy(); // tunnels are no longer the server's connections
      }),
  };
}
