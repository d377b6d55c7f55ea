/**
 * Runs the Upstash REST bridge from the environment:
 *   UPSTASH_BRIDGE_PORT (8079), UPSTASH_BRIDGE_HOST (127.0.0.1; 0.0.0.0 in a container others reach),
 *   REDIS_URL (redis://127.0.0.1:6379), UPSTASH_REDIS_REST_TOKEN (local-dev-token).
 * Usage: node infra/upstash-bridge/cli.ts
 */
import { startUpstashBridge } from './server.ts';

const port = Number(process.env.UPSTASH_BRIDGE_PORT ?? 8079);
const host = process.env.UPSTASH_BRIDGE_HOST ?? '127.0.0.1';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const token = process.env.UPSTASH_REDIS_REST_TOKEN ?? 'local-dev-token';

const bridge = await startUpstashBridge({ port, host, redisUrl, token });
console.log(`upstash-bridge ready: UPSTASH_REDIS_REST_URL=${bridge.url} -> ${redact(redisUrl)}`);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  console.log(`upstash-bridge: ${signal}, stopping`);
  bridge.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('upstash-bridge: failed to stop cleanly', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

/** Hides a password in the redis URL before logging it. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
