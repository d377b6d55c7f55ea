import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbDriver } from './client.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.ts';
import { runMigrations } from './migrate.ts';
import { users } from './schema/accounts.ts';
import { freePort } from './testing/free-port.ts';

const until = async (ok: () => Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 50));
};
const open = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

let postgres: EmbeddedPostgres;
let proxy: ChildProcess;
let proxyPort: number;

beforeAll(async () => {
  postgres = await startEmbeddedPostgres({ port: await freePort() });
  await runMigrations(postgres.url);
  // The stack's built-in WebSocket proxy: how Neon's driver reaches a Postgres that is not Neon.
  proxyPort = await freePort();
  const script = fileURLToPath(new URL('../../infra/stack/ws-proxy-server.ts', import.meta.url));
  proxy = spawn(process.execPath, [script], {
    env: {
      ...process.env,
      WS_PROXY_PORT: String(proxyPort),
      WS_PROXY_TARGET: `127.0.0.1:${new URL(postgres.url).port}`,
    },
    stdio: 'ignore',
  });
  await until(() => open(proxyPort));
}, 60_000);

afterAll(async () => {
  proxy?.kill();
  await postgres?.stop();
});

describe('the database client factory', () => {
  for (const driver of ['pg', 'neon'] as DbDriver[]) {
    it(`reads and writes through the ${driver} driver`, async () => {
      const handle = await createDb({
        url: postgres.url,
        driver,
        ...(driver === 'neon' ? { wsProxy: `127.0.0.1:${proxyPort}`, webSocketConstructor: ws } : {}),
      });
      try {
        expect(await handle.query('select 1 as one')).toEqual([{ one: 1 }]);
        const email = `${driver}-${Date.now()}@example.test`;
        const [row] = await handle.db.insert(users).values({ email, passwordHash: 'x' }).returning();
        const [found] = await handle.db.select().from(users).where(eq(users.id, row!.id));
        expect(found).toMatchObject({ email, settings: {} });
      } finally {
        await handle.close();
      }
    });
  }
});
