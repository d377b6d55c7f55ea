import { join } from 'node:path';
import { externalUrl, type StackConfig } from './config.ts';
import { startProcess } from './process.ts';
import type { Logger, ServiceResult } from './service.ts';
import { httpOk, tcpOpen, waitUntil } from './wait.ts';
import { which } from './which.ts';

/** A real redis-server: REDIS_URL (TEST_REDIS_URL for tests) when set, else one we start. */
export async function startRedis(cfg: StackConfig, log: Logger): Promise<ServiceResult> {
  const external = externalUrl(cfg.profile, 'REDIS_URL');
  if (external) return { name: 'redis', state: 'external', url: external };
  const port = cfg.ports.redis;
  const url = `redis://127.0.0.1:${port}`;
  if (await tcpOpen('127.0.0.1', port)) return { name: 'redis', state: 'reused', url };
  const bin = which('redis-server');
  if (!bin) {
    return {
      name: 'redis',
      state: 'missing',
      reason: 'redis-server is not installed',
      hint: 'apt-get install -y redis-server (or set REDIS_URL, or UPSTASH_REDIS_REST_URL and _TOKEN)',
    };
  }
  log(`redis: starting redis-server on 127.0.0.1:${port}`);
  const proc = startProcess({
    name: 'redis',
    command: bin,
    // Redis holds only rate-limit windows, tickets and counters: nothing worth persisting locally.
    args: [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      cfg.stateDir,
    ],
    logFile: join(cfg.stateDir, 'logs/redis.log'),
    stateDir: cfg.stateDir,
  });
  try {
    await waitUntil('redis-server', () => tcpOpen('127.0.0.1', port), { process: proc });
  } catch (err) {
    await proc.stop();
    return {
      name: 'redis',
      state: 'failed',
      reason: String(err),
      hint: `see ${join(cfg.stateDir, 'logs/redis.log')}`,
    };
  }
  return { name: 'redis', state: 'started', url, process: proc };
}

/** The Upstash REST endpoint: UPSTASH_REDIS_REST_URL when set, else the local bridge over `redisUrl`. */
export async function startUpstash(
  cfg: StackConfig,
  redisUrl: string | undefined,
  log: Logger,
): Promise<ServiceResult & { token?: string }> {
  if (cfg.profile === 'dev' && process.env.UPSTASH_REDIS_REST_URL) {
    return {
      name: 'upstash',
      state: 'external',
      url: process.env.UPSTASH_REDIS_REST_URL,
      token: process.env.UPSTASH_REDIS_REST_TOKEN ?? '',
    };
  }
  const token = cfg.secrets.upstashToken;
  if (!redisUrl) {
    return {
      name: 'upstash',
      state: 'missing',
      reason: 'no redis-server to bridge to',
      hint: 'start Redis first (see above)',
    };
  }
  const port = cfg.ports.bridge;
  const url = `http://127.0.0.1:${port}`;
  const ping = () =>
    httpOk(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '["PING"]' });
  if (await ping().catch(() => false)) return { name: 'upstash', state: 'reused', url, token };
  log(`upstash: starting the REST bridge on ${url}`);
  const proc = startProcess({
    name: 'upstash',
    command: process.execPath,
    args: [join(cfg.root, 'infra/upstash-bridge/cli.ts')],
    env: {
      ...process.env,
      UPSTASH_BRIDGE_PORT: String(port),
      REDIS_URL: redisUrl,
      UPSTASH_REDIS_REST_TOKEN: token,
    },
    logFile: join(cfg.stateDir, 'logs/upstash-bridge.log'),
    stateDir: cfg.stateDir,
  });
  try {
    await waitUntil('upstash bridge', ping, { process: proc });
  } catch (err) {
    await proc.stop();
    return {
      name: 'upstash',
      state: 'failed',
      reason: String(err),
      hint: `see ${join(cfg.stateDir, 'logs/upstash-bridge.log')}`,
    };
  }
  return { name: 'upstash', state: 'started', url, token, process: proc };
}
