/**
 * A real npm registry for tests: Verdaccio over HTTPS with a private CA made for this run, serving
 * packages installed on this machine (with their dependency closure) and nothing else. Listens only on
 * the address given, e.g. the gateway of a Docker network the test created, so a sandbox reaches it
 * and nothing outside does.
 *
 *   const registry = await startTestRegistry({ host: gateway, packages: ['fill-range@7.1.1'] });
 *   // registry.url, registry.caCertFile ... then
 *   await registry.stop(); // idempotent
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localPackageClosure } from './local-packages.ts';
import type { LocalPackage } from './local-packages.ts';
import { registryStorage } from './storage.ts';
import { createTestTls } from './tls.ts';
import { startVerdaccio } from './verdaccio.ts';

/** Options of {@link startTestRegistry}. */
export interface TestRegistryOptions {
  /** IP address to listen on (and the one its certificate names). */
  host: string;
  /**
   * Host names its certificate also names, for clients that reach it by name (through a proxy that
   * resolves the name, say). Use names under `.test`, which never exist outside.
   */
  hostnames?: string[];
  /** Port; 0 (the default) picks a free one. */
  port?: number;
  /** `name@version` of packages installed in the workspace; their dependencies are served too. */
  packages: string[];
}

/** A running test registry. */
export interface TestRegistry {
  /** `https://host:port/` */
  url: string;
  host: string;
  port: number;
  /** The private CA (PEM) that signed the registry's certificate: what a client must trust. */
  caCertFile: string;
  /** Every package version it serves. */
  served: LocalPackage[];
  /** Stops the registry and removes its files; safe to call more than once. */
  stop(): Promise<void>;
}

export async function startTestRegistry(opts: TestRegistryOptions): Promise<TestRegistry> {
  const served = localPackageClosure(opts.packages);
  const storage = registryStorage(served);
  const workDir = mkdtempSync(join(tmpdir(), 'samokoder-registry-'));
  try {
    const tls = createTestTls(join(workDir, 'tls'), [opts.host, ...(opts.hostnames ?? [])]);
    const verdaccio = await startVerdaccio({
      host: opts.host,
      port: opts.port ?? 0,
      storage,
      workDir,
      tls: { keyFile: tls.serverKeyFile, certFile: tls.serverChainFile },
    });
    const hostInUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    let stopping: Promise<void> | undefined;
    return {
      url: `https://${hostInUrl}:${verdaccio.port}/`,
      host: opts.host,
      port: verdaccio.port,
      caCertFile: tls.caCertFile,
      served,
      stop: () => {
        stopping ??= verdaccio.close().finally(() => rmSync(workDir, { recursive: true, force: true }));
        return stopping;
      },
    };
  } catch (err) {
    rmSync(workDir, { recursive: true, force: true });
    throw err;
  }
}
