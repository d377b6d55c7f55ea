/**
 * The runner's announcements to the fleet registry (Redis behind the repo's Upstash bridge): its record
 * appears once it listens, carries its room and load, says at once when it drains, survives a registry
 * outage without stopping the runner or logging the token, and is removed when the runner closes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startUpstashBridge, type UpstashBridge } from '../../../infra/upstash-bridge/server.ts';
import {
  startTestRedisServer,
  type TestRedisServer,
} from '../../../infra/upstash-bridge/test-redis-server.ts';
import { REGISTRY_KEYS, RunnerAnnouncement } from '../../src/contract.ts';
import { Announcer } from '../../src/fleet/announcer.ts';
import { pipeline } from '../../src/fleet/registry-client.ts';
import { enginelessRunner } from './runner.ts';

const TOKEN = 'registry-token-never-logged-5f1c';
let redisServer: TestRedisServer;
let bridge: UpstashBridge;

beforeAll(async () => {
  redisServer = await startTestRedisServer();
  bridge = await startUpstashBridge({ port: 0, redisUrl: redisServer.url, token: TOKEN });
});

afterAll(async () => {
  await bridge?.close();
  await redisServer?.dispose();
});

/** One Redis command through the bridge. */
async function redis(...command: (string | number)[]): Promise<unknown> {
  const [result] = await pipeline({ url: bridge.url, token: TOKEN }, [command]);
  return result;
}

beforeEach(async () => {
  await redis('FLUSHALL');
});

/** Polls `read` until `done` holds (bounded: 10 s). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const record = async (id: string) => {
  const raw = await redis('GET', REGISTRY_KEYS.runner(id));
  return typeof raw === 'string' ? RunnerAnnouncement.parse(JSON.parse(raw)) : null;
};

describe('the runner announces itself to the fleet registry', () => {
  it('announces its url, room and load once it listens, and leaves when it closes', async () => {
    const runner = await enginelessRunner({
      registry: { url: bridge.url, token: TOKEN },
      publicUrl: 'http://runner-a.internal:8788',
      maxSandboxes: 7,
      announceIntervalMs: 200,
    });
    const id = runner.config.runnerId;
    try {
      expect(await record(id)).toBeNull();
      await runner.app.listen({ host: '127.0.0.1', port: 0 });
      const announced = await until(
        () => record(id),
        (r) => r !== null,
      );
      expect(announced).toMatchObject({
        id,
        url: 'http://runner-a.internal:8788',
        capacity: 7,
        sandboxes: 0,
        commands: 0,
        draining: false,
      });
      const score = Number(await redis('ZSCORE', REGISTRY_KEYS.runners, id));
      expect(score).toBeGreaterThan(Date.now() - 15_000);
      // Announced again and again: the time moves on.
      await until(
        () => record(id),
        (r) => r !== null && r.at > announced!.at,
      );
      // The record expires unless announced again.
      expect(Number(await redis('PTTL', REGISTRY_KEYS.runner(id)))).toBeLessThanOrEqual(15_000);
    } finally {
      await runner.close();
    }
    expect(await record(id)).toBeNull();
    expect(await redis('ZSCORE', REGISTRY_KEYS.runners, id)).toBeNull();
  });

  it('says it drains within a moment, not at the next interval', async () => {
    const runner = await enginelessRunner({
      registry: { url: bridge.url, token: TOKEN },
      announceIntervalMs: 60_000,
    });
    const id = runner.config.runnerId;
    try {
      await runner.app.listen({ host: '127.0.0.1', port: 0 });
      const first = await until(
        () => record(id),
        (r) => r !== null,
      );
      // With no public URL it is reached at its host name and the port it listens on.
      expect(first!.url).toMatch(
        new RegExp(`^http://[^/]+:${(runner.app.server.address() as { port: number }).port}$`),
      );
      runner.app.sandboxes.draining = true;
      await until(
        () => record(id),
        (r) => r?.draining === true,
      );
    } finally {
      await runner.close();
    }
  });

  it('keeps running through a registry outage, logs it without the token, and announces again after', async () => {
    const lines: string[] = [];
    const log = {
      info: (obj: object, msg: string) => lines.push(JSON.stringify({ ...obj, msg })),
      warn: (obj: object, msg: string) => lines.push(JSON.stringify({ ...obj, msg })),
    };
    let sandboxes = 0;
    const announcer = new Announcer({
      registry: { url: bridge.url, token: TOKEN },
      intervalMs: 100,
      log,
      describe: () => ({
        id: 'runner-outage',
        url: 'http://runner-outage.internal:8788',
        capacity: 4,
        sandboxes,
        commands: 0,
        draining: false,
        startedAt: 1,
      }),
    });
    announcer.start();
    try {
      await until(
        () => record('runner-outage'),
        (r) => r !== null,
      );
      await redisServer.stop();
      await until(
        async () => lines.join('\n'),
        (text) => text.includes('could not announce to the fleet registry'),
      );
      sandboxes = 3;
      await redisServer.start();
      const back = await until(
        () => record('runner-outage').catch(() => null),
        (r) => r?.sandboxes === 3,
      );
      expect(back!.sandboxes).toBe(3);
      // The record is stored before the registry's answer reaches the announcer, which then logs.
      await until(
        async () => lines.join('\n'),
        (text) => text.includes('the fleet registry answers again'),
      );
      // One line for the outage, not one per interval.
      expect(lines.filter((l) => l.includes('could not announce')).length).toBe(1);
      expect(lines.join('\n')).not.toContain(TOKEN);
    } finally {
      await announcer.stop();
    }
    expect(await record('runner-outage')).toBeNull();
  });
});
