/**
 * A Verdaccio registry in this process, serving a prepared storage folder over HTTPS, with no uplink:
 * it serves what the storage holds and answers 404 for anything else, so nothing it does reaches
 * outside. In-process, so a test that dies takes its registry with it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runServer } from 'verdaccio';

/** Where and what a registry serves. */
export interface VerdaccioOptions {
  /** Address to listen on (an IP address). */
  host: string;
  /** 0 picks a free port. */
  port?: number;
  /** Storage folder (see storage.ts); only read while serving. */
  storage: string;
  /** Folder for the registry's own files (its config's base, the empty user list). */
  workDir: string;
  tls: { keyFile: string; certFile: string };
}

/** A listening registry. */
export interface RunningVerdaccio {
  port: number;
  close(): Promise<void>;
}

export async function startVerdaccio(opts: VerdaccioOptions): Promise<RunningVerdaccio> {
  const listen = `https://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port ?? 0}`;
  const config = {
    self_path: join(opts.workDir, 'config.yaml'),
    storage: opts.storage,
    plugins: join(opts.workDir, 'plugins'),
    auth: { htpasswd: { file: join(opts.workDir, 'htpasswd'), max_users: -1 } },
    // No uplinks and no audit middleware: the registry never forwards a request.
    uplinks: {},
    packages: {
      '@*/*': { access: '$all', publish: '$authenticated' },
      '**': { access: '$all', publish: '$authenticated' },
    },
    https: { key: opts.tls.keyFile, cert: opts.tls.certFile },
    listen,
    web: { enable: false },
    server: { keepAliveTimeout: 5 },
    log: { type: 'stdout', format: 'json', level: 'error' },
  };
  const server = (await runServer(config as Parameters<typeof runServer>[0], {
    listenArg: listen,
  })) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
