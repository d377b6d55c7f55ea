/** Where and how to connect to redis-server, parsed once from a `redis://` URL. */
export type RedisTarget = {
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  db: number;
};

/**
 * Parses `redis://[user[:password]@]host[:port][/db]`. Throws on anything else, so a bad REDIS_URL fails
 * at start-up instead of on every request. `rediss://` (TLS) is refused: the bridge is loopback-only.
 */
export function parseRedisUrl(raw: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new Error(`invalid redis URL "${raw}"`, { cause });
  }
  if (url.protocol !== 'redis:') {
    throw new Error(`unsupported redis URL scheme "${url.protocol}" (expected redis://)`);
  }
  const dbPath = url.pathname.replace(/^\//, '');
  const db = dbPath === '' ? 0 : Number(dbPath);
  if (!Number.isInteger(db) || db < 0) throw new Error(`invalid redis database "${dbPath}"`);
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port === '' ? 6379 : Number(url.port),
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db,
  };
}
