import type { Server, Socket } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer, SSL_REQUEST_CODE } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  stop: () => Promise<void>;
}

/** GSSENCRequest: like SSLRequest, answered and followed by the real startup packet. */
const GSSENC_REQUEST_CODE = 80877104;
const TERMINATE = 0x58; // 'X'

/**
 * Closes a connection once its client sends Terminate, as Postgres does. The socket server hands
 * Terminate to PGlite, which ignores it, and keeps the socket open; `pg` closes its end anyway, but
 * Neon's driver (through the WebSocket proxy) waits for the server to close. Without this every Neon
 * connection would stay open until the connection limit refuses new ones.
 */
function closeOnTerminate(socket: Socket): void {
  let buffer: Buffer = Buffer.alloc(0);
  let inStartup = true;
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      if (inStartup) {
        // Startup packets have no type byte: length (int32, inclusive) then a code.
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        buffer = buffer.subarray(length);
        if (code !== SSL_REQUEST_CODE && code !== GSSENC_REQUEST_CODE) inStartup = false;
        continue;
      }
      // Regular messages: type byte, then length (int32, inclusive of itself).
      if (buffer.length < 5) return;
      const type = buffer[0];
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      buffer = buffer.subarray(1 + length);
      if (type === TERMINATE) {
        socket.end();
        return;
      }
    }
  });
}

/**
 * Postgres with no install: PGlite (Postgres compiled to WASM) behind its wire-protocol socket server,
 * so `pg`, psql and Neon's driver (through the WebSocket proxy) all reach it like a real server.
 * `dataDir` persists between runs; omit it for an in-memory database.
 */
export async function startEmbeddedPostgres(opts: {
  port: number;
  host?: string;
  dataDir?: string;
}): Promise<EmbeddedPostgres> {
  const host = opts.host ?? '127.0.0.1';
  const db = await PGlite.create(opts.dataDir ? { dataDir: opts.dataDir } : {});
  const server = new PGLiteSocketServer({ db, port: opts.port, host, maxConnections: 16 });
  await server.start();
  // The net.Server is not part of the public API; without it there is no way to see Terminate.
  const netServer = (server as unknown as { server: Server | null }).server;
  if (!netServer) throw new Error('pglite-socket changed: its net.Server is not where it used to be');
  netServer.on('connection', closeOnTerminate);
  return {
    url: `postgres://postgres:postgres@${host}:${opts.port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
