import { join } from 'node:path';
import type { StackConfig } from './config.ts';
import { startProcess } from './process.ts';
import type { Logger, ServiceResult } from './service.ts';
import { tcpOpen, waitUntil } from './wait.ts';

/** Whether Neon's driver needs the proxy: it does for any Postgres on this machine. */
export function needsWsProxy(databaseUrl: string): boolean {
  const host = new URL(databaseUrl).hostname;
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}

/**
 * The WebSocket proxy in front of a local Postgres so Neon's serverless driver reaches it the way it
 * reaches Neon: the built-in Node proxy (ws-proxy-server.ts). Why not Debian's websockify: it forks a
 * process per connection, about 85 ms per connect against 11 ms here, and a Worker connects once per
 * request, so under load the proxy, not the database, set the pace.
 */
export async function startWsProxy(
  cfg: StackConfig,
  databaseUrl: string,
  log: Logger,
): Promise<ServiceResult> {
  const port = cfg.ports.wsProxy;
  const url = `127.0.0.1:${port}`;
  if (await tcpOpen('127.0.0.1', port)) return { name: 'ws-proxy', state: 'reused', url };
  const db = new URL(databaseUrl);
  const target = `${db.hostname}:${db.port || 5432}`;
  log(`ws-proxy: on ${url} -> ${target}`);
  const proc = startProcess({
    name: 'ws-proxy',
    command: process.execPath,
    args: [join(cfg.root, 'infra/stack/ws-proxy-server.ts')],
    env: { ...process.env, WS_PROXY_PORT: String(port), WS_PROXY_TARGET: target },
    logFile: join(cfg.stateDir, 'logs/ws-proxy.log'),
    stateDir: cfg.stateDir,
  });
  try {
    await waitUntil('ws-proxy', () => tcpOpen('127.0.0.1', port), { process: proc });
  } catch (err) {
    await proc.stop();
    return {
      name: 'ws-proxy',
      state: 'failed',
      reason: String(err),
      hint: `see ${join(cfg.stateDir, 'logs/ws-proxy.log')}`,
    };
  }
  return { name: 'ws-proxy', state: 'started', url, process: proc };
}
