import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.ts';
import { freePort } from './testing/free-port.ts';

function startupPacket(): Buffer {
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + params.length, 0);
  head.writeInt32BE(196608, 4); // protocol 3.0
  return Buffer.concat([head, params]);
}

/** Log in over a raw socket, send Terminate, and report whether the server closed the connection. */
function serverClosesAfterTerminate(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let terminated = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 3000);
    socket.on('error', reject);
    socket.on('connect', () => socket.write(startupPacket()));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // ReadyForQuery ('Z') ends the login exchange.
      if (!terminated && received.includes(Buffer.from([0x5a, 0, 0, 0, 5]))) {
        terminated = true;
        socket.write(Buffer.from([0x58, 0, 0, 0, 4]));
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(terminated);
    });
  });
}

describe('embedded Postgres', () => {
  let postgres: EmbeddedPostgres;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    postgres = await startEmbeddedPostgres({ port });
  }, 60_000);

  afterAll(async () => {
    await postgres?.stop();
  });

  it('closes a connection when the client sends Terminate, like Postgres', async () => {
    expect(await serverClosesAfterTerminate(port)).toBe(true);
  });

  it('so clients that wait for the server to close never exhaust the connection limit', async () => {
    // The limit is 16: twice as many log-in/Terminate cycles must all succeed.
    for (let i = 0; i < 32; i++) expect(await serverClosesAfterTerminate(port)).toBe(true);
  });
});
