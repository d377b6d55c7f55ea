/** TCP tunnels to ports inside the sandbox (the preview), carried as frames. */
import * as net from 'node:net';
import { FRAME } from '../frames.ts';
import { send, SupervisorError } from './protocol.ts';
import type { Obj } from './protocol.ts';

const tunnels = new Map<number, net.Socket>();

export function tunnelConnect(req: Obj): Promise<Obj> {
  const id = Number(req.tunnel);
  const port = Number(req.port);
  const attempt = (host: string) =>
    new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    });
  // Dev servers bind 127.0.0.1, ::1 or both, depending on how `localhost` resolved for them.
  return attempt('127.0.0.1')
    .catch(() => attempt('::1'))
    .then(
      (socket) => {
        socket.removeAllListeners('error');
        tunnels.set(id, socket);
        socket.setNoDelay(true);
        socket.on('data', (buf: Buffer) => send(FRAME.TUN_DATA, id, buf));
        socket.on('end', () => send(FRAME.TUN_END, id, Buffer.alloc(0)));
        socket.on('error', () => {});
        socket.on('close', () => {
          if (tunnels.delete(id)) send(FRAME.TUN_CLOSE, id, Buffer.alloc(0));
        });
        return {};
      },
      () => {
        throw new SupervisorError('connect_failed', `nothing listens on port ${port} in the sandbox`);
      },
    );
}

/** Forwards runner bytes to the app. */
export function tunnelWrite(id: number, payload: Buffer): void {
  tunnels.get(id)?.write(payload);
}

/** The runner half-closed its side. */
export function tunnelEnd(id: number): void {
  tunnels.get(id)?.end();
}

/** The runner closed the tunnel. */
export function tunnelClose(id: number): void {
  const socket = tunnels.get(id);
  tunnels.delete(id);
  socket?.destroy();
}
